package sql

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// varScope says where a system variable lives.
type varScope uint8

const (
	scopeBoth varScope = iota
	scopeGlobal
	scopeSession
)

// varKind says how SET reads a value.
type varKind uint8

const (
	varString varKind = iota
	varInt
	varBool
	varIsolation
)

// sysVarDef is one system variable, declared once in sysVarTable.
type sysVarDef struct {
	name     string
	scope    varScope
	kind     varKind
	def      string
	readOnly bool
}

// sysVarTable lists the system variables tandem knows, with MySQL 8's defaults.
var sysVarTable = []sysVarDef{
	{name: "autocommit", kind: varBool, def: "1"},
	{name: "auto_increment_increment", kind: varInt, def: "1"},
	{name: "auto_increment_offset", kind: varInt, def: "1"},
	{name: "character_set_client", def: "utf8mb4"},
	{name: "character_set_connection", def: "utf8mb4"},
	{name: "character_set_database", def: "utf8mb4"},
	{name: "character_set_results", def: "utf8mb4"},
	{name: "character_set_server", def: "utf8mb4"},
	{name: "character_set_system", scope: scopeGlobal, def: "utf8mb3", readOnly: true},
	{name: "collation_connection", def: "utf8mb4_0900_ai_ci"},
	{name: "collation_database", def: "utf8mb4_0900_ai_ci"},
	{name: "collation_server", def: "utf8mb4_0900_ai_ci"},
	{name: "default_storage_engine", def: "InnoDB"},
	{name: "div_precision_increment", kind: varInt, def: "4"},
	{name: "foreign_key_checks", kind: varBool, def: "1"},
	{name: "group_concat_max_len", kind: varInt, def: "1024"},
	{name: "have_ssl", scope: scopeGlobal, def: "DISABLED", readOnly: true},
	{name: "hostname", scope: scopeGlobal, def: "localhost", readOnly: true},
	{name: "init_connect", scope: scopeGlobal, def: ""},
	{name: "innodb_buffer_pool_size", scope: scopeGlobal, kind: varInt, def: "134217728"},
	{name: "innodb_lock_wait_timeout", kind: varInt, def: "50"},
	{name: "innodb_page_size", scope: scopeGlobal, kind: varInt, def: "16384", readOnly: true},
	{name: "interactive_timeout", kind: varInt, def: "28800"},
	{name: "license", scope: scopeGlobal, def: "GPL", readOnly: true},
	{name: "lower_case_table_names", scope: scopeGlobal, kind: varInt, def: "0", readOnly: true},
	{name: "max_allowed_packet", kind: varInt, def: "67108864"},
	{name: "max_connections", scope: scopeGlobal, kind: varInt, def: "151"},
	{name: "max_execution_time", kind: varInt, def: "0"},
	{name: "net_buffer_length", kind: varInt, def: "16384"},
	{name: "net_read_timeout", kind: varInt, def: "30"},
	{name: "net_write_timeout", kind: varInt, def: "60"},
	{name: "performance_schema", scope: scopeGlobal, kind: varBool, def: "0", readOnly: true},
	{name: "port", scope: scopeGlobal, kind: varInt, def: "3306", readOnly: true},
	{name: "query_cache_size", scope: scopeGlobal, kind: varInt, def: "0"},
	{name: "query_cache_type", def: "OFF"},
	{name: "sql_auto_is_null", kind: varBool, def: "0"},
	{name: "sql_mode", def: "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"},
	{name: "sql_safe_updates", kind: varBool, def: "0"},
	{name: "sql_select_limit", kind: varInt, def: "18446744073709551615"},
	{name: "system_time_zone", scope: scopeGlobal, def: "UTC", readOnly: true},
	{name: "time_zone", def: "SYSTEM"},
	{name: "transaction_isolation", kind: varIsolation, def: "REPEATABLE-READ"},
	{name: "tx_isolation", kind: varIsolation, def: "REPEATABLE-READ"},
	{name: "transaction_read_only", kind: varBool, def: "0"},
	{name: "tx_read_only", kind: varBool, def: "0"},
	{name: "unique_checks", kind: varBool, def: "1"},
	{name: "version", scope: scopeGlobal, readOnly: true},
	{name: "version_comment", scope: scopeGlobal, def: "tandem (MySQL-compatible)", readOnly: true},
	{name: "version_compile_machine", scope: scopeGlobal, def: "x86_64", readOnly: true},
	{name: "version_compile_os", scope: scopeGlobal, def: "Linux", readOnly: true},
	{name: "wait_timeout", kind: varInt, def: "28800"},
	{name: "warning_count", scope: scopeSession, kind: varInt, readOnly: true},
	{name: "error_count", scope: scopeSession, kind: varInt, readOnly: true},
	{name: "last_insert_id", scope: scopeSession, kind: varInt},
	{name: "identity", scope: scopeSession, kind: varInt},
}

func (x *Executor) sysVarDef(name string) (*sysVarDef, bool) {
	d, ok := x.varIndex[name]
	return d, ok
}

func sysVarType(name string) typeInfo {
	for _, d := range sysVarTable {
		if d.name == name && (d.kind == varInt || d.kind == varBool) {
			return tiInt
		}
	}
	return tiString
}

// sysVar reads a system variable (the session's value unless global).
func (x *Executor) sysVar(s *Session, name string, global bool) (types.Value, error) {
	d, ok := x.sysVarDef(name)
	if !ok {
		return types.Null, errcode.UnknownSystemVar.New(name)
	}
	switch name {
	case "version":
		return types.NewString(x.opts.Version), nil
	case "warning_count":
		return types.NewInt(int64(len(s.warnings))), nil
	case "error_count":
		return types.NewInt(0), nil
	case "last_insert_id", "identity":
		return types.NewUint(s.lastInsertID), nil
	case "tx_isolation":
		name = "transaction_isolation"
	case "tx_read_only":
		name = "transaction_read_only"
	}
	if global && d.scope == scopeSession {
		return types.Null, errcode.IncorrectGlobalLocal.New(name, "SESSION")
	}
	if !global && d.scope != scopeGlobal {
		if v, ok := s.vars[name]; ok {
			return v, nil
		}
	}
	x.mu.RLock()
	v, ok := x.mu.globals[name]
	x.mu.RUnlock()
	if ok {
		return v, nil
	}
	return defaultVarValue(d), nil
}

func defaultVarValue(d *sysVarDef) types.Value {
	if d.kind == varInt || d.kind == varBool {
		if n, err := strconv.ParseUint(d.def, 10, 64); err == nil {
			if n > 1<<62 {
				return types.NewUint(n)
			}
			return types.NewInt(int64(n))
		}
	}
	return types.NewString(d.def)
}

// setSysVar assigns a system variable.
func (x *Executor) setSysVar(s *Session, name string, global bool, v types.Value) error {
	if name == "tx_isolation" {
		name = "transaction_isolation"
	}
	if name == "tx_read_only" {
		name = "transaction_read_only"
	}
	d, ok := x.sysVarDef(name)
	if !ok {
		return errcode.UnknownSystemVar.New(name)
	}
	if d.readOnly {
		return errcode.ReadOnlyVariable.New(name)
	}
	if !global && d.scope == scopeGlobal {
		return errcode.GlobalVariable.New(name)
	}
	if global && d.scope == scopeSession {
		return errcode.IncorrectGlobalLocal.New(name, "SESSION")
	}
	if v.IsNull() && d.kind != varString {
		return errcode.WrongValueForVar.New(name, "NULL")
	}
	switch d.kind {
	case varBool:
		b, ok := parseBoolVar(v)
		if !ok {
			return errcode.WrongValueForVar.New(name, v.String())
		}
		v = boolValue(b)
	case varInt:
		if v.Kind() == types.KindBytes {
			if _, ok := types.ParseNumber(v.Bytes()); !ok {
				return errcode.WrongTypeForVar.New(name)
			}
		}
		v = types.NewInt(v.Int())
	case varIsolation:
		iso, ok := parseIsolation(strings.ReplaceAll(strings.ToUpper(string(v.Bytes())), " ", "-"))
		if !ok {
			return errcode.WrongValueForVar.New(name, v.String())
		}
		v = types.NewString(isolationName(iso))
	case varString:
		if name == "sql_mode" {
			v = types.NewString(strings.ToUpper(string(v.Bytes())))
		} else if name == "time_zone" {
			if _, err := parseTimeZone(string(v.Bytes())); err != nil {
				return errcode.UnknownTimeZone.New(v.String())
			}
		}
		v = cloneValue(v)
	}
	if name == "time_zone" {
		s.loc = nil
	}
	switch name {
	case "transaction_isolation":
		s.isoCached = false
	case "innodb_lock_wait_timeout":
		s.lockWait = 0
	case "sql_mode":
		s.sqlModeCached = false
	}
	if global {
		x.mu.Lock()
		x.mu.globals[name] = v
		x.mu.Unlock()
		return nil
	}
	if name == "autocommit" && v.Int() == 1 && s.inTxn {
		// turning autocommit on commits the open transaction
		if err := x.commit(s); err != nil {
			return err
		}
	}
	s.vars[name] = v
	if name == "autocommit" {
		s.autocommitOff = v.Int() == 0
	}
	return nil
}

func parseBoolVar(v types.Value) (bool, bool) {
	switch v.Kind() {
	case types.KindInt, types.KindUint:
		switch v.Int() {
		case 0:
			return false, true
		case 1:
			return true, true
		}
		return false, false
	case types.KindBytes:
		switch strings.ToUpper(string(v.Bytes())) {
		case "ON", "TRUE", "1":
			return true, true
		case "OFF", "FALSE", "0":
			return false, true
		}
	}
	return false, false
}

func parseIsolation(s string) (engine.Isolation, bool) {
	switch s {
	case "REPEATABLE-READ":
		return engine.RepeatableRead, true
	case "READ-COMMITTED":
		return engine.ReadCommitted, true
	case "READ-UNCOMMITTED":
		return engine.ReadUncommitted, true
	case "SERIALIZABLE":
		return engine.Serializable, true
	}
	return 0, false
}

func isolationName(i engine.Isolation) string {
	switch i {
	case engine.ReadCommitted:
		return "READ-COMMITTED"
	case engine.ReadUncommitted:
		return "READ-UNCOMMITTED"
	case engine.Serializable:
		return "SERIALIZABLE"
	}
	return "REPEATABLE-READ"
}

func (x *Executor) sessionIsolation(s *Session) engine.Isolation {
	if s.isoCached {
		return s.iso
	}
	v, _ := x.sysVar(s, "transaction_isolation", false)
	iso, _ := parseIsolation(string(v.Bytes()))
	s.iso, s.isoCached = iso, true
	return iso
}

// lockWaitTimeout is the session's innodb_lock_wait_timeout (seconds, at
// least 1), which a transaction takes when it begins.
func (x *Executor) lockWaitTimeout(s *Session) time.Duration {
	if s.lockWait == 0 {
		v, _ := x.sysVar(s, "innodb_lock_wait_timeout", false)
		s.lockWait = time.Duration(max(v.Int(), 1)) * time.Second
	}
	return s.lockWait
}

func (x *Executor) sqlMode(s *Session) string {
	if !s.sqlModeCached {
		v, _ := x.sysVar(s, "sql_mode", false)
		s.sqlMode, s.sqlModeCached = string(v.Bytes()), true
	}
	return s.sqlMode
}

func (x *Executor) strict(s *Session) bool {
	m := x.sqlMode(s)
	return strings.Contains(m, "STRICT_TRANS_TABLES") || strings.Contains(m, "STRICT_ALL_TABLES")
}

func parseTimeZone(tz string) (*time.Location, error) {
	if strings.EqualFold(tz, "SYSTEM") {
		return time.Local, nil
	}
	if len(tz) == 6 && (tz[0] == '+' || tz[0] == '-') && tz[3] == ':' {
		h, err1 := strconv.Atoi(tz[1:3])
		m, err2 := strconv.Atoi(tz[4:6])
		if err1 == nil && err2 == nil && h <= 14 && m < 60 {
			off := h*3600 + m*60
			if tz[0] == '-' {
				off = -off
			}
			return time.FixedZone(tz, off), nil
		}
	}
	if strings.EqualFold(tz, "UTC") {
		return time.UTC, nil
	}
	return time.LoadLocation(tz)
}

// location is the session's time zone.
func (x *Executor) location(s *Session) *time.Location {
	if s.loc != nil {
		return s.loc
	}
	v, _ := x.sysVar(s, "time_zone", false)
	loc, err := parseTimeZone(string(v.Bytes()))
	if err != nil {
		loc = time.Local
	}
	s.loc = loc
	return loc
}

// fromUTC shows a stored TIMESTAMP value in the session's time zone.
func (x *Executor) fromUTC(s *Session, v types.Value) types.Value {
	if v.Kind() != types.KindDatetime {
		return v
	}
	loc := x.location(s)
	if loc == time.UTC || isZeroDate(v) {
		return v
	}
	return types.NewTimeValue(v.Time(time.UTC).In(loc), v.Frac())
}

// toUTC converts a TIMESTAMP value given in the session's time zone for storage.
func (x *Executor) toUTC(s *Session, v types.Value) types.Value {
	if v.Kind() != types.KindDatetime {
		return v
	}
	loc := x.location(s)
	if loc == time.UTC || isZeroDate(v) {
		return v
	}
	return types.NewTimeValue(v.Time(loc).UTC(), v.Frac())
}

func isZeroDate(v types.Value) bool {
	y, mo, d, _, _, _, _ := v.DateTime()
	return y == 0 && mo == 0 && d == 0
}

// showVariables lists variables for SHOW [GLOBAL|SESSION] VARIABLES.
func (x *Executor) showVariables(s *Session, global bool) [][2]string {
	var out [][2]string
	for i := range sysVarTable {
		d := &sysVarTable[i]
		if global && d.scope == scopeSession {
			continue
		}
		v, err := x.sysVar(s, d.name, global)
		if err != nil {
			continue
		}
		str := v.String()
		if d.kind == varBool {
			str = "OFF"
			if v.Int() != 0 {
				str = "ON"
			}
		}
		out = append(out, [2]string{d.name, str})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

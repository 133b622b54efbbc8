package sql

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/parse"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

func textColumns(names ...string) []Column {
	out := make([]Column, len(names))
	for i, n := range names {
		out[i] = Column{Name: n, OrgName: n, Type: TypeVarString, Length: 256, Charset: CharsetUTF8MB4}
	}
	return out
}

func textRow(vals ...string) []types.Value {
	out := make([]types.Value, len(vals))
	for i, v := range vals {
		out[i] = types.NewString(v)
	}
	return out
}

// likeFilter applies SHOW … LIKE 'pattern' (case-insensitive).
func likeFilter(f *sqlparser.ShowFilter, name string) bool {
	if f == nil || f.Like == "" {
		return true
	}
	var a, b [64]byte
	return likeMatch(catalog.FoldString(a[:0], []byte(name)), catalog.FoldString(b[:0], []byte(f.Like)), '\\')
}

func (x *Executor) runShow(ctx context.Context, s *Session, sh *sqlparser.Show) (*Result, error) {
	typ := strings.ToLower(sh.Type)
	global := strings.EqualFold(sh.Scope, "global")
	filter := sh.Filter
	if filter == nil && sh.ShowTablesOpt != nil {
		filter = sh.ShowTablesOpt.Filter
	}
	if sh.ShowCollationFilterOpt != nil {
		if ce, ok := sh.ShowCollationFilterOpt.(*sqlparser.ComparisonExpr); ok && ce.Operator == sqlparser.LikeStr {
			if v, ok := ce.Right.(*sqlparser.SQLVal); ok {
				filter = &sqlparser.ShowFilter{Like: string(v.Val)}
			}
		}
		if filter == nil {
			return nil, errcode.NotSupported.New("SHOW COLLATION WHERE")
		}
	}
	if filter != nil && filter.Filter != nil {
		return nil, errcode.NotSupported.New("SHOW … WHERE")
	}
	switch typ {
	case "databases", "schemas":
		head := "Database"
		if filter != nil && filter.Like != "" {
			head += " (" + filter.Like + ")"
		}
		res := &Result{Columns: textColumns(head)}
		names := append([]string{"information_schema"}, x.eng.Schemas()...)
		sort.Strings(names)
		for _, n := range names {
			if likeFilter(filter, n) {
				res.Rows = append(res.Rows, textRow(n))
			}
		}
		return res, nil
	case "tables":
		db := s.DB
		if sh.ShowTablesOpt != nil && sh.ShowTablesOpt.DbName != "" {
			db = sh.ShowTablesOpt.DbName
		}
		if db == "" {
			return nil, errcode.NoDatabaseSelected.New()
		}
		if !x.schemaExists(db) {
			return nil, errcode.BadDatabase.New(db)
		}
		cols := []string{"Tables_in_" + db}
		if filter != nil && filter.Like != "" {
			cols[0] += " (" + filter.Like + ")"
		}
		if sh.Full {
			cols = append(cols, "Table_type")
		}
		res := &Result{Columns: textColumns(cols...)}
		var names []string
		x.mu.RLock()
		for _, t := range x.mu.tables {
			if t.Schema == db {
				names = append(names, t.Name)
			}
		}
		x.mu.RUnlock()
		sort.Strings(names)
		for _, n := range names {
			if !likeFilter(filter, n) {
				continue
			}
			if sh.Full {
				res.Rows = append(res.Rows, textRow(n, "BASE TABLE"))
			} else {
				res.Rows = append(res.Rows, textRow(n))
			}
		}
		return res, nil
	case "create table":
		t, err := x.resolveTable(s, sh.Table)
		if err != nil {
			return nil, err
		}
		return &Result{Columns: textColumns("Table", "Create Table"), Rows: [][]types.Value{textRow(t.Name, x.showCreateTable(t))}}, nil
	case "create database", "create schema":
		db := sh.Database
		if db == "" {
			db = sh.Table.Name.String()
		}
		if !x.schemaExists(db) {
			return nil, errcode.BadDatabase.New(db)
		}
		return &Result{Columns: textColumns("Database", "Create Database"), Rows: [][]types.Value{textRow(db,
			"CREATE DATABASE `"+db+"` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci */ /*!80016 DEFAULT ENCRYPTION='N' */")}}, nil
	case "columns", "fields":
		tn := sh.Table
		if sh.ShowTablesOpt != nil && sh.ShowTablesOpt.DbName != "" {
			tn.DbQualifier = sqlparser.NewTableIdent(sh.ShowTablesOpt.DbName)
		}
		t, err := x.resolveTable(s, tn)
		if err != nil {
			return nil, err
		}
		return x.showColumns(t, sh.Full, filter), nil
	case "index", "indexes", "keys":
		t, err := x.resolveTable(s, sh.Table)
		if err != nil {
			return nil, err
		}
		return x.showIndex(ctx, s, t), nil
	case "warnings", "errors":
		res := &Result{Columns: textColumns("Level", "Code", "Message")}
		res.Columns[1].Type, res.Columns[1].Charset, res.Columns[1].Length = TypeLong, CharsetBinary, 4
		for _, w := range s.warnings {
			if typ == "errors" && w.Level != "Error" {
				continue
			}
			res.Rows = append(res.Rows, []types.Value{types.NewString(w.Level), types.NewInt(int64(w.Code)), types.NewString(w.Message)})
		}
		return res, nil
	case "variables":
		res := &Result{Columns: textColumns("Variable_name", "Value")}
		for _, kv := range x.showVariables(s, global) {
			if likeFilter(filter, kv[0]) {
				res.Rows = append(res.Rows, textRow(kv[0], kv[1]))
			}
		}
		return res, nil
	case "status":
		res := &Result{Columns: textColumns("Variable_name", "Value")}
		for _, kv := range x.status(s, global) {
			if likeFilter(filter, kv[0]) {
				res.Rows = append(res.Rows, textRow(kv[0], kv[1]))
			}
		}
		return res, nil
	case "charset", "character set":
		res := &Result{Columns: textColumns("Charset", "Description", "Default collation", "Maxlen")}
		res.Columns[3].Type, res.Columns[3].Charset = TypeLong, CharsetBinary
		for _, c := range [][4]string{{"ascii", "US ASCII", "ascii_general_ci", "1"}, {"binary", "Binary pseudo charset", "binary", "1"},
			{"latin1", "cp1252 West European", "latin1_swedish_ci", "1"}, {"utf8mb3", "UTF-8 Unicode", "utf8mb3_general_ci", "3"},
			{"utf8mb4", "UTF-8 Unicode", "utf8mb4_0900_ai_ci", "4"}} {
			if likeFilter(filter, c[0]) {
				n, _ := strconv.Atoi(c[3])
				res.Rows = append(res.Rows, []types.Value{str(c[0]), str(c[1]), str(c[2]), types.NewInt(int64(n))})
			}
		}
		return res, nil
	case "collation":
		res := &Result{Columns: textColumns("Collation", "Charset", "Id", "Default", "Compiled", "Sortlen", "Pad_attribute")}
		for _, k := range []int{2, 5} {
			res.Columns[k].Type, res.Columns[k].Charset = TypeLonglong, CharsetBinary
		}
		for _, c := range []struct {
			name, cs string
			id       int64
			def, pad string
		}{{"ascii_general_ci", "ascii", 11, "Yes", "PAD SPACE"}, {"binary", "binary", 63, "Yes", "NO PAD"},
			{"latin1_swedish_ci", "latin1", 8, "Yes", "PAD SPACE"}, {"utf8mb3_general_ci", "utf8mb3", 33, "Yes", "PAD SPACE"},
			{"utf8mb4_0900_ai_ci", "utf8mb4", 255, "Yes", "NO PAD"}, {"utf8mb4_bin", "utf8mb4", 46, "", "PAD SPACE"},
			{"utf8mb4_general_ci", "utf8mb4", 45, "", "PAD SPACE"}, {"utf8mb4_unicode_ci", "utf8mb4", 224, "", "PAD SPACE"}} {
			if likeFilter(filter, c.name) {
				res.Rows = append(res.Rows, []types.Value{str(c.name), str(c.cs), types.NewInt(c.id), str(c.def), str("Yes"), types.NewInt(1), str(c.pad)})
			}
		}
		return res, nil
	case "table status":
		db := s.DB
		if sh.ShowTablesOpt != nil && sh.ShowTablesOpt.DbName != "" {
			db = sh.ShowTablesOpt.DbName
		}
		if db == "" {
			return nil, errcode.NoDatabaseSelected.New()
		}
		res := &Result{Columns: textColumns("Name", "Engine", "Version", "Row_format", "Rows", "Avg_row_length", "Data_length", "Max_data_length",
			"Index_length", "Data_free", "Auto_increment", "Create_time", "Update_time", "Check_time", "Collation", "Checksum", "Create_options", "Comment")}
		for _, t := range x.sortedTables() {
			if t.Schema != db || !likeFilter(filter, t.Name) {
				continue
			}
			ai := types.Null
			if info, ok := x.eng.Table(t.Schema, t.Name); ok && t.AutoIncCol >= 0 {
				ai = types.NewUint(info.AutoIncrement)
			}
			res.Rows = append(res.Rows, []types.Value{str(t.Name), str("InnoDB"), types.NewInt(10), str("Dynamic"), types.NewInt(0), types.NewInt(0),
				types.NewInt(16384), types.NewInt(0), types.NewInt(0), types.NewInt(0), ai, types.Null, types.Null, types.Null,
				str("utf8mb4_0900_ai_ci"), types.Null, str(""), str(t.Comment)})
		}
		return res, nil
	case "processlist":
		if x.opts.Processes == nil {
			return nil, errcode.NotSupported.New("SHOW PROCESSLIST without a server")
		}
		res := &Result{Columns: textColumns("Id", "User", "Host", "db", "Command", "Time", "State", "Info")}
		res.Columns[0].Type, res.Columns[0].Charset = TypeLonglong, CharsetBinary
		res.Columns[5].Type, res.Columns[5].Charset = TypeLong, CharsetBinary
		for _, p := range x.opts.Processes() {
			db, info := types.Null, types.Null
			if p.DB != "" {
				db = str(p.DB)
			}
			if p.Info != "" {
				text := p.Info
				if !sh.Full && len(text) > 100 {
					text = text[:100]
				}
				info = str(text)
			}
			res.Rows = append(res.Rows, []types.Value{types.NewUint(p.ID), str(p.User), str(p.Host), db, str(p.Command), types.NewUint(p.Time), str(p.State), info})
		}
		return res, nil
	case "engines":
		res := &Result{Columns: textColumns("Engine", "Support", "Comment", "Transactions", "XA", "Savepoints")}
		res.Rows = append(res.Rows, textRow("InnoDB", "DEFAULT", "Supports transactions, row-level locking, and foreign keys", "YES", "NO", "YES"))
		return res, nil
	}
	return nil, errcode.NotSupported.New("SHOW " + strings.ToUpper(typ))
}

// status lists SHOW STATUS counters: the engine's and the server's.
func (x *Executor) status(s *Session, global bool) [][2]string {
	m := map[string]string{}
	for k, v := range x.eng.Stats() {
		m[k] = strconv.FormatUint(v, 10)
	}
	if x.opts.Stats != nil {
		for k, v := range x.opts.Stats() {
			m[k] = strconv.FormatUint(v, 10)
		}
	}
	if _, ok := m["Uptime"]; !ok {
		m["Uptime"] = strconv.FormatInt(int64(time.Since(x.started).Seconds()), 10)
	}
	out := make([][2]string, 0, len(m))
	for k, v := range m {
		out = append(out, [2]string{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func quoteString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
}

func columnDefault(c *catalog.Column) (string, bool) {
	switch {
	case c.DefaultNow:
		if c.Fsp > 0 {
			return "CURRENT_TIMESTAMP(" + strconv.Itoa(c.Fsp) + ")", true
		}
		return "CURRENT_TIMESTAMP", true
	case c.Default != nil:
		return *c.Default, true
	}
	return "", false
}

// showCreateTable renders the definition as MySQL 8 prints it.
func (x *Executor) showCreateTable(t *catalog.Table) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + quoteIdent(t.Name) + " (\n")
	var lines []string
	for i := range t.Columns {
		c := &t.Columns[i]
		l := "  " + quoteIdent(c.Name) + " " + c.TypeName
		if c.IsString() && c.Type != catalog.TypeEnum || c.Type == catalog.TypeEnum {
			// default collation: nothing printed
		}
		if c.NotNull {
			l += " NOT NULL"
		}
		if d, ok := columnDefault(c); ok {
			if c.DefaultNow {
				l += " DEFAULT " + d
			} else {
				l += " DEFAULT " + quoteString(d)
			}
		} else if !c.NotNull && !c.AutoInc && c.Type != catalog.TypeText && c.Type != catalog.TypeBlob {
			l += " DEFAULT NULL"
		}
		if c.OnUpdateNow {
			l += " ON UPDATE CURRENT_TIMESTAMP"
			if c.Fsp > 0 {
				l += "(" + strconv.Itoa(c.Fsp) + ")"
			}
		}
		if c.AutoInc {
			l += " AUTO_INCREMENT"
		}
		if c.Comment != "" {
			l += " COMMENT " + quoteString(c.Comment)
		}
		lines = append(lines, l)
	}
	for i, ix := range t.Indexes {
		if ix.Hidden {
			continue
		}
		var cols []string
		for _, ci := range ix.Columns {
			cols = append(cols, quoteIdent(t.Columns[ci].Name))
		}
		var l string
		switch {
		case ix.Primary || (i == 0 && ix.Name == "PRIMARY"):
			l = "  PRIMARY KEY (" + strings.Join(cols, ",") + ")"
		case ix.Unique:
			l = "  UNIQUE KEY " + quoteIdent(ix.Name) + " (" + strings.Join(cols, ",") + ")"
		default:
			l = "  KEY " + quoteIdent(ix.Name) + " (" + strings.Join(cols, ",") + ")"
		}
		if ix.Comment != "" {
			l += " COMMENT " + quoteString(ix.Comment)
		}
		lines = append(lines, l)
	}
	b.WriteString(strings.Join(lines, ",\n"))
	b.WriteString("\n) ENGINE=InnoDB")
	if info, ok := x.eng.Table(t.Schema, t.Name); ok && t.AutoIncCol >= 0 && info.AutoIncrement > 1 {
		b.WriteString(" AUTO_INCREMENT=" + strconv.FormatUint(info.AutoIncrement, 10))
	}
	b.WriteString(" DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci")
	if t.Comment != "" {
		b.WriteString(" COMMENT=" + quoteString(t.Comment))
	}
	return b.String()
}

func (x *Executor) showColumns(t *catalog.Table, full bool, filter *sqlparser.ShowFilter) *Result {
	names := []string{"Field", "Type", "Null", "Key", "Default", "Extra"}
	if full {
		names = []string{"Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges", "Comment"}
	}
	res := &Result{Columns: textColumns(names...)}
	for i := range t.Columns {
		c := &t.Columns[i]
		if !likeFilter(filter, c.Name) {
			continue
		}
		null := "YES"
		if c.NotNull {
			null = "NO"
		}
		key := ""
		pri, uni, mul := t.ColumnFlagsKey(i)
		switch {
		case pri && !t.Indexes[0].Hidden && len(t.Indexes[0].Columns) > 0:
			key = "PRI"
		case uni:
			key = "UNI"
		case mul:
			key = "MUL"
		}
		if pri && !t.Indexes[0].Primary && len(t.Indexes[0].Columns) == 1 {
			key = "PRI" // a promoted unique key shows as PRI
		}
		def := types.Null
		if d, ok := columnDefault(c); ok {
			def = types.NewString(d)
		}
		var extra []string
		if c.AutoInc {
			extra = append(extra, "auto_increment")
		}
		if c.DefaultNow {
			extra = append(extra, "DEFAULT_GENERATED")
		}
		if c.OnUpdateNow {
			extra = append(extra, "on update CURRENT_TIMESTAMP")
		}
		row := []types.Value{types.NewString(c.Name), types.NewString(c.TypeName)}
		if full {
			coll := types.Null
			if c.IsString() {
				coll = types.NewString("utf8mb4_0900_ai_ci")
			}
			row = append(row, coll)
		}
		row = append(row, types.NewString(null), types.NewString(key), def, types.NewString(strings.Join(extra, " ")))
		if full {
			row = append(row, types.NewString("select,insert,update,references"), types.NewString(c.Comment))
		}
		res.Rows = append(res.Rows, row)
	}
	return res
}

func (x *Executor) showIndex(ctx context.Context, s *Session, t *catalog.Table) *Result {
	res := &Result{Columns: textColumns("Table", "Non_unique", "Key_name", "Seq_in_index", "Column_name", "Collation", "Cardinality", "Sub_part", "Packed", "Null", "Index_type", "Comment", "Index_comment", "Visible", "Expression")}
	for _, k := range []int{1, 3, 6} {
		res.Columns[k].Type, res.Columns[k].Charset = TypeLonglong, CharsetBinary
	}
	for _, ix := range t.Indexes {
		if ix.Hidden {
			continue
		}
		card := x.cardinality(ctx, s, t, ix)
		for seq, ci := range ix.Columns {
			c := &t.Columns[ci]
			nonUnique := int64(1)
			if ix.Unique || ix.Primary {
				nonUnique = 0
			}
			null := ""
			if !c.NotNull {
				null = "YES"
			}
			res.Rows = append(res.Rows, []types.Value{types.NewString(t.Name), types.NewInt(nonUnique), types.NewString(ix.Name),
				types.NewInt(int64(seq + 1)), types.NewString(c.Name), types.NewString("A"), types.NewInt(card[seq]), types.Null, types.Null,
				types.NewString(null), types.NewString("BTREE"), types.NewString(""), types.NewString(ix.Comment), types.NewString("YES"), types.Null})
		}
	}
	return res
}

// cardinality counts distinct prefixes of an index (exact, by a scan; ANALYZE-free).
func (x *Executor) cardinality(ctx context.Context, s *Session, t *catalog.Table, ix catalog.Index) []int64 {
	out := make([]int64, len(ix.Columns))
	txn, err := x.eng.Begin(ctx, engine.TxnOptions{ReadOnly: true})
	if err != nil {
		return out
	}
	defer txn.Rollback()
	cur, err := txn.Scan(t.ID, 0, engine.Bound{}, engine.Bound{}, false, engine.LockNone)
	if err != nil {
		return out
	}
	defer cur.Close()
	seen := make([]map[string]bool, len(ix.Columns))
	for i := range seen {
		seen[i] = map[string]bool{}
	}
	var row []types.Value
	for n := 0; cur.Next() && n < 100000; n++ {
		row, err = catalog.DecodeRow(row[:0], cur.Value(), len(t.Columns))
		if err != nil {
			return out
		}
		var k []byte
		for i, ci := range ix.Columns {
			k = catalog.EncodeKey(k, &t.Columns[ci], row[ci])
			seen[i][string(k)] = true
		}
	}
	for i := range out {
		out[i] = int64(len(seen[i]))
	}
	return out
}

func (x *Executor) runSet(st *stmtCtx, set *sqlparser.Set) (*Result, error) {
	params := 0
	sc := &scope{params: &params, session: st.s}
	for _, e := range set.Exprs {
		name := strings.ToLower(e.Name.Name.String())
		scope := strings.ToLower(string(e.Scope))
		if strings.HasPrefix(name, "@@") {
			name = name[2:]
			switch {
			case strings.HasPrefix(name, "global."):
				name, scope = name[7:], "global"
			case strings.HasPrefix(name, "session."), strings.HasPrefix(name, "local."):
				name, scope = name[strings.IndexByte(name, '.')+1:], "session"
			}
		}
		if strings.HasPrefix(name, "@") && scope != "user" {
			name, scope = strings.Trim(name[1:], "`'\""), "user"
		}
		switch {
		case name == "names" || name == "charset" || name == "character set":
			cs := strings.ToLower(strings.Trim(sqlparser.String(e.Expr), "'`\""))
			if i := strings.Index(cs, " collate "); i >= 0 {
				cs = cs[:i]
			}
			if cs == "default" {
				cs = "utf8mb4"
			}
			switch cs {
			case "utf8mb4", "utf8", "utf8mb3", "latin1", "binary", "ascii":
			default:
				return nil, errcode.UnknownCharset.New(cs)
			}
			for _, v := range []string{"character_set_client", "character_set_connection", "character_set_results"} {
				st.s.vars[v] = types.NewString(cs)
			}
			continue
		case name == "transaction":
			if err := x.setTransaction(st.s, scope, strings.ToLower(sqlparser.String(e.Expr))); err != nil {
				return nil, err
			}
			continue
		}
		var v types.Value
		if _, isDef := e.Expr.(*sqlparser.Default); isDef {
			if scope == "user" {
				return nil, errcode.ParseError.New("DEFAULT", 1)
			}
			if scope == "global" {
				x.mu.Lock()
				delete(x.mu.globals, name)
				x.mu.Unlock()
			} else {
				delete(st.s.vars, name)
				st.s.autocommitOff = false
				st.s.loc = nil
				st.s.isoCached = false
				st.s.lockWait, st.s.sqlModeCached = 0, false
			}
			continue
		}
		// bare words (SET autocommit = ON) arrive as column names
		if cn, ok := e.Expr.(*sqlparser.ColName); ok && !strings.HasPrefix(cn.Name.String(), "@") && cn.Qualifier.Name.String() == "" && scope != "user" {
			v = types.NewString(cn.Name.String())
		} else {
			c, _, err := x.compile(e.Expr, sc)
			if err != nil {
				return nil, err
			}
			if v, err = c.eval(st.evalCtx(nil)); err != nil {
				return nil, err
			}
		}
		if scope == "user" {
			st.s.userVars[strings.ToLower(name)] = cloneValue(v)
			continue
		}
		if err := x.setSysVar(st.s, name, scope == "global", v); err != nil {
			return nil, err
		}
	}
	return &Result{}, nil
}

// setTransaction handles SET [GLOBAL|SESSION] TRANSACTION ISOLATION LEVEL … / READ ONLY|WRITE.
func (x *Executor) setTransaction(s *Session, scope, spec string) error {
	spec = strings.Trim(spec, "'")
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		switch {
		case strings.HasPrefix(part, "isolation level "):
			lvl := strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(part, "isolation level "), " ", "-"))
			iso, ok := parseIsolation(lvl)
			if !ok {
				return errcode.ParseError.New(part, 1)
			}
			switch scope {
			case "global":
				x.mu.Lock()
				x.mu.globals["transaction_isolation"] = types.NewString(isolationName(iso))
				x.mu.Unlock()
			case "session":
				s.vars["transaction_isolation"] = types.NewString(isolationName(iso))
				s.isoCached = false
			default:
				if s.InTransaction() {
					return errcode.CantChangeTxCharacteristics.New()
				}
				s.nextIso = &iso
			}
		case part == "read only" || part == "read write":
			v := boolValue(part == "read only")
			if scope == "global" {
				x.mu.Lock()
				x.mu.globals["transaction_read_only"] = v
				x.mu.Unlock()
			} else {
				s.vars["transaction_read_only"] = v
			}
		default:
			return errcode.ParseError.New(part, 1)
		}
	}
	return nil
}

func (x *Executor) runExplain(ctx context.Context, s *Session, ex *sqlparser.Explain, args []types.Value) (*Result, error) {
	if ex.Analyze || (ex.ExplainFormat != "" && !strings.EqualFold(ex.ExplainFormat, "traditional")) {
		return nil, errcode.NotSupported.New("EXPLAIN FORMAT=" + ex.ExplainFormat)
	}
	sel, ok := ex.Statement.(*sqlparser.Select)
	if !ok {
		return nil, errcode.NotSupported.New("EXPLAIN of this statement")
	}
	return x.inStatement(ctx, s, false, func(st *stmtCtx) (*Result, error) {
		st.args = args
		params := 0
		pl, err := x.compileSelectBlock(s, sel, parse.Parsed{}, &params, nil)
		if err != nil {
			return nil, err
		}
		res := &Result{Columns: textColumns("id", "select_type", "table", "partitions", "type", "possible_keys", "key", "key_len", "ref", "rows", "filtered", "Extra")}
		res.Columns[0].Type, res.Columns[0].Charset = TypeLonglong, CharsetBinary
		res.Columns[9].Type, res.Columns[9].Charset = TypeLonglong, CharsetBinary
		res.Columns[10].Type, res.Columns[10].Charset, res.Columns[10].Decimals = TypeNewDecimal, CharsetBinary, 2
		if len(pl.sources) == 0 {
			extra := "No tables used"
			res.Rows = append(res.Rows, []types.Value{types.NewInt(1), types.NewString("SIMPLE"), types.Null, types.Null, types.Null, types.Null, types.Null, types.Null, types.Null, types.Null, types.Null, types.NewString(extra)})
			return res, nil
		}
		for i, src := range pl.sources {
			p := pl.paths[i]
			t := src.table
			row := []types.Value{types.NewInt(1), types.NewString("SIMPLE"), types.NewString(src.alias), types.Null}
			rows := x.estimateRows(st, t, p, src.offset, pl.width)
			typ := p.kind.String()
			row = append(row, types.NewString(typ))
			if len(p.candidates) > 0 {
				var names []string
				for _, c := range p.candidates {
					names = append(names, t.Indexes[c].Name)
				}
				row = append(row, types.NewString(strings.Join(names, ",")))
			} else {
				row = append(row, types.Null)
			}
			if p.kind == pathAll {
				row = append(row, types.Null, types.Null, types.Null)
			} else {
				ix := &t.Indexes[p.index]
				parts := len(p.eq)
				if p.kind == pathRange && parts < len(ix.Columns) {
					parts++
				}
				kl := 0
				for _, ci := range ix.Columns[:parts] {
					kl += keyLen(&t.Columns[ci])
				}
				ref := types.Null
				if p.kind != pathRange && len(p.eq) > 0 {
					var refs []string
					for _, e := range p.eq {
						if ce, ok := e.(*colExpr); ok {
							for _, o := range pl.sources {
								if ce.idx >= o.offset && ce.idx < o.offset+len(o.table.Columns) {
									refs = append(refs, o.schema+"."+o.alias+"."+o.table.Columns[ce.idx-o.offset].Name)
								}
							}
						} else {
							refs = append(refs, "const")
						}
					}
					ref = types.NewString(strings.Join(refs, ","))
				}
				row = append(row, types.NewString(ix.Name), types.NewString(strconv.Itoa(kl)), ref)
			}
			filtered, _ := types.ParseDecimal("100.00")
			row = append(row, types.NewInt(rows), types.NewDecimal(filtered))
			var extra []string
			needsWhere := false
			for _, c := range pl.levels[i] {
				if !coveredByPath(c, p, t, src.offset) {
					needsWhere = true
				}
			}
			if needsWhere || (p.kind == pathRange) {
				extra = append(extra, "Using where")
			}
			if i == 0 && len(pl.order) > 0 {
				extra = append(extra, "Using filesort")
			}
			if len(extra) == 0 {
				row = append(row, types.Null)
			} else {
				row = append(row, types.NewString(strings.Join(extra, "; ")))
			}
			res.Rows = append(res.Rows, row)
		}
		res.Warnings = 1
		s.warn("Note", 1003, "/* select#1 */ "+sqlparser.String(sel))
		return res, nil
	})
}

// coveredByPath reports whether a condition is an equality the access path already applies.
func coveredByPath(c expr, p *accessPath, t *catalog.Table, offset int) bool {
	if p.kind != pathConst && p.kind != pathEqRef && p.kind != pathRef {
		return false
	}
	ce, ok := c.(*cmpExpr)
	if !ok || ce.op != "=" {
		return false
	}
	for _, e := range p.eq {
		if ce.r == e || ce.l == e {
			return true
		}
	}
	return false
}

// estimateRows counts the rows an access path reads (an exact dive; MySQL estimates).
func (x *Executor) estimateRows(st *stmtCtx, t *catalog.Table, p *accessPath, offset, width int) int64 {
	if p.kind == pathConst || p.kind == pathEqRef {
		return 1
	}
	if maxOuter(p) >= 0 {
		return 1
	}
	rs := &rowSource{st: st, t: t, path: p}
	defer rs.close()
	c := st.evalCtx(make([]types.Value, width))
	if err := rs.open(c); err != nil {
		return 1
	}
	var n int64
	for n < 1000000 {
		ok, err := rs.next()
		if err != nil || !ok {
			break
		}
		n++
	}
	return max(n, 1)
}

func maxOuter(p *accessPath) int {
	m := -1
	for _, e := range p.eq {
		m = max(m, maxColumn(e))
	}
	return m
}

// keyLen is EXPLAIN's key_len contribution of a column.
func keyLen(c *catalog.Column) int {
	n := 0
	switch c.Type {
	case catalog.TypeTinyInt, catalog.TypeBool, catalog.TypeYear:
		n = 1
	case catalog.TypeSmallInt:
		n = 2
	case catalog.TypeMediumInt, catalog.TypeDate:
		n = 3
	case catalog.TypeInt, catalog.TypeFloat:
		n = 4
	case catalog.TypeBigInt, catalog.TypeDouble:
		n = 8
	case catalog.TypeDecimal:
		n = decimalBytes(c.Precision-c.Scale) + decimalBytes(c.Scale)
	case catalog.TypeDatetime:
		n = 5 + (c.Fsp+1)/2
	case catalog.TypeTimestamp:
		n = 4 + (c.Fsp+1)/2
	case catalog.TypeTime:
		n = 3 + (c.Fsp+1)/2
	case catalog.TypeChar:
		n = c.Length * 4
	case catalog.TypeVarchar:
		n = c.Length*4 + 2
	case catalog.TypeBinary:
		n = c.Length
	case catalog.TypeVarbinary:
		n = c.Length + 2
	case catalog.TypeEnum:
		n = 1
		if len(c.Enum) > 255 {
			n = 2
		}
	default:
		n = 767*4 + 2
	}
	if !c.NotNull {
		n++
	}
	return n
}

func decimalBytes(digits int) int {
	sizes := []int{0, 1, 1, 2, 2, 3, 3, 4, 4}
	return digits/9*4 + sizes[digits%9]
}

func (x *Executor) runKill(ctx context.Context, s *Session, k *sqlparser.Kill, args []types.Value) (*Result, error) {
	if x.opts.Kill == nil {
		return nil, errcode.NotSupported.New("KILL without a server")
	}
	params := 0
	e, _, err := x.compile(k.ConnID, &scope{params: &params, session: s})
	if err != nil {
		return nil, err
	}
	v, err := e.eval(&evalCtx{args: args, s: s, x: x})
	if err != nil {
		return nil, err
	}
	id := v.Uint()
	if !x.opts.Kill(id, !k.Connection) {
		return nil, errcode.NoSuchThread.New(id)
	}
	return &Result{}, nil
}

package sql

import (
	"context"
	"errors"
	"fmt"
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

func (x *Executor) runDBDDL(s *Session, st *sqlparser.DBDDL) (*Result, error) {
	if err := x.commit(s); err != nil { // DDL commits implicitly
		return nil, err
	}
	x.ddlMu.Lock()
	defer x.ddlMu.Unlock()
	name := st.DBName
	if strings.EqualFold(name, infoSchemaName) {
		return nil, errcode.DBAccessDenied.New(s.User, s.Host, infoSchemaName)
	}
	switch strings.ToLower(st.Action) {
	case "create":
		if x.schemaExists(name) {
			if st.IfNotExists {
				s.warn("Note", errcode.DatabaseExists.Code, errcode.DatabaseExists.New(name).Message)
				return &Result{}, nil
			}
			return nil, errcode.DatabaseExists.New(name)
		}
		if err := x.eng.CreateSchema(name); err != nil {
			return nil, x.engineError(s, err)
		}
		return &Result{AffectedRows: 1}, nil
	case "drop":
		if !x.schemaExists(name) {
			if st.IfExists {
				s.warn("Note", errcode.DropDatabaseMissing.Code, errcode.DropDatabaseMissing.New(name).Message)
				return &Result{}, nil
			}
			return nil, errcode.DropDatabaseMissing.New(name)
		}
		n := 0
		x.mu.Lock()
		for k, t := range x.mu.tables {
			if t.Schema == name {
				delete(x.mu.tables, k)
				n++
			}
		}
		x.mu.version++
		x.mu.Unlock()
		if err := x.eng.DropSchema(name); err != nil {
			return nil, x.engineError(s, err)
		}
		if s.DB == name {
			s.DB = ""
		}
		return &Result{AffectedRows: uint64(n)}, nil
	}
	return nil, errcode.NotSupported.New(strings.ToUpper(st.Action) + " DATABASE")
}

func (x *Executor) runDDL(ctx context.Context, s *Session, st *sqlparser.DDL) (*Result, error) {
	if err := x.commit(s); err != nil {
		return nil, err
	}
	x.ddlMu.Lock()
	defer x.ddlMu.Unlock()
	switch strings.ToLower(st.Action) {
	case "create":
		if st.OptLike != nil {
			return x.createTableLike(s, st)
		}
		if st.TableSpec == nil && st.OptSelect == nil {
			return nil, errcode.NotSupported.New("CREATE without a table definition")
		}
		return x.createTable(ctx, s, st)
	case "drop":
		return x.dropTables(s, st)
	case "truncate":
		t, err := x.resolveTable(s, st.Table)
		if err != nil {
			return nil, err
		}
		if err := x.eng.TruncateTable(t.ID); err != nil {
			return nil, x.engineError(s, err)
		}
		return &Result{}, nil
	}
	return nil, errcode.NotSupported.New(strings.ToUpper(st.Action) + " TABLE")
}

func (x *Executor) dropTables(s *Session, st *sqlparser.DDL) (*Result, error) {
	var missing []string
	var drop []*catalog.Table
	for _, tn := range st.FromTables {
		t, err := x.resolveTable(s, tn)
		if err != nil {
			var ee *errcode.Error
			if errors.As(err, &ee) && ee.Code == errcode.NoSuchTable.Code {
				schema := tn.DbQualifier.String()
				if schema == "" {
					schema = s.DB
				}
				missing = append(missing, schema+"."+tn.Name.String())
				continue
			}
			return nil, err
		}
		drop = append(drop, t)
	}
	if len(missing) > 0 && !st.IfExists {
		return nil, errcode.BadTable.New(strings.Join(missing, ","))
	}
	for _, m := range missing {
		s.warn("Note", errcode.BadTable.Code, errcode.BadTable.New(m).Message)
	}
	for _, t := range drop {
		if err := x.eng.DropTable(t.ID); err != nil {
			return nil, x.engineError(s, err)
		}
		x.mu.Lock()
		delete(x.mu.tables, tableKey(t.Schema, t.Name))
		x.mu.version++
		x.mu.Unlock()
	}
	return &Result{}, nil
}

func sqlValText(v *sqlparser.SQLVal) string {
	if v == nil {
		return ""
	}
	return string(v.Val)
}

// columnFromAST builds a column definition.
func columnFromAST(cd *sqlparser.ColumnDefinition) (catalog.Column, error) {
	ct := cd.Type
	c := catalog.Column{Name: cd.Name.String(), Unsigned: bool(ct.Unsigned)}
	length, _ := strconv.Atoi(sqlValText(ct.Length))
	scale, _ := strconv.Atoi(sqlValText(ct.Scale))
	t := strings.ToLower(ct.Type)
	uns := ""
	if c.Unsigned {
		uns = " unsigned"
	}
	switch t {
	case "tinyint", "bool", "boolean":
		c.Type, c.TypeName = catalog.TypeTinyInt, "tinyint"+uns
		if t != "tinyint" {
			c.TypeName = "tinyint(1)"
		} else if length == 1 {
			c.TypeName = "tinyint(1)" + uns
		}
	case "smallint":
		c.Type, c.TypeName = catalog.TypeSmallInt, "smallint"+uns
	case "mediumint":
		c.Type, c.TypeName = catalog.TypeMediumInt, "mediumint"+uns
	case "int", "integer":
		c.Type, c.TypeName = catalog.TypeInt, "int"+uns
	case "bigint":
		c.Type, c.TypeName = catalog.TypeBigInt, "bigint"+uns
	case "decimal", "numeric", "dec", "fixed":
		c.Type = catalog.TypeDecimal
		c.Precision, c.Scale = 10, 0
		if ct.Length != nil {
			c.Precision = length
			c.Scale = scale
		}
		if c.Precision > 65 {
			return c, errcode.TooBigPrecision.New(c.Precision, c.Name, 65)
		}
		if c.Scale > 30 || c.Scale > c.Precision {
			return c, errcode.TooBigScale.New(c.Scale, c.Name, 30)
		}
		c.TypeName = "decimal(" + strconv.Itoa(c.Precision) + "," + strconv.Itoa(c.Scale) + ")" + uns
	case "float":
		c.Type, c.TypeName = catalog.TypeFloat, "float"+uns
	case "double", "real", "double precision":
		c.Type, c.TypeName = catalog.TypeDouble, "double"+uns
	case "char", "nchar", "character":
		c.Type, c.Length = catalog.TypeChar, 1
		if ct.Length != nil {
			c.Length = length
		}
		c.TypeName = "char(" + strconv.Itoa(c.Length) + ")"
		if c.Length > 255 {
			return c, errcode.TooBigFieldLength.New(c.Name, 255)
		}
	case "varchar", "nvarchar", "character varying":
		if ct.Length == nil {
			return c, errcode.ParseError.New(")", 1)
		}
		c.Type, c.Length = catalog.TypeVarchar, length
		c.TypeName = "varchar(" + strconv.Itoa(length) + ")"
		if length > 16383 {
			return c, errcode.TooBigFieldLength.New(c.Name, 16383)
		}
	case "tinytext", "text", "mediumtext", "longtext":
		c.Type, c.TypeName = catalog.TypeText, t
		c.Length = map[string]int{"tinytext": 255, "text": 65535, "mediumtext": 16777215, "longtext": 4294967295}[t]
	case "binary":
		c.Type, c.Length = catalog.TypeBinary, max(length, 1)
		c.TypeName = "binary(" + strconv.Itoa(c.Length) + ")"
	case "varbinary":
		c.Type, c.Length = catalog.TypeVarbinary, length
		c.TypeName = "varbinary(" + strconv.Itoa(length) + ")"
	case "tinyblob", "blob", "mediumblob", "longblob":
		c.Type, c.TypeName = catalog.TypeBlob, t
		c.Length = map[string]int{"tinyblob": 255, "blob": 65535, "mediumblob": 16777215, "longblob": 4294967295}[t]
	case "date":
		c.Type, c.TypeName = catalog.TypeDate, "date"
	case "datetime", "timestamp", "time":
		c.Type = map[string]catalog.Type{"datetime": catalog.TypeDatetime, "timestamp": catalog.TypeTimestamp, "time": catalog.TypeTime}[t]
		c.Fsp = length
		if c.Fsp > 6 {
			return c, errcode.TooBigPrecisionFsp.New(c.Fsp, c.Name, 6)
		}
		c.TypeName = t
		if c.Fsp > 0 {
			c.TypeName += "(" + strconv.Itoa(c.Fsp) + ")"
		}
	case "year":
		c.Type, c.TypeName = catalog.TypeYear, "year"
	case "enum":
		c.Type = catalog.TypeEnum
		c.Enum = append([]string(nil), ct.EnumValues...)
		var quoted []string
		for i, m := range c.Enum {
			m = strings.Trim(m, "'")
			c.Enum[i] = m
			quoted = append(quoted, "'"+strings.ReplaceAll(m, "'", "''")+"'")
		}
		c.TypeName = "enum(" + strings.Join(quoted, ",") + ")"
	default:
		return c, errcode.NotSupported.New("column type " + strings.ToUpper(t))
	}
	c.NotNull = bool(ct.NotNull)
	c.AutoInc = bool(ct.Autoincrement)
	if ct.Comment != nil {
		c.Comment = string(ct.Comment.Val)
	}
	if ct.Default != nil {
		switch d := ct.Default.(type) {
		case *sqlparser.NullVal:
			if c.NotNull {
				return c, errcode.InvalidDefault.New(c.Name)
			}
			c.DefaultNull = true
		case *sqlparser.FuncExpr:
			n := d.Name.Lowered()
			if (n == "current_timestamp" || n == "now" || n == "localtimestamp" || n == "localtime") && (c.Type == catalog.TypeTimestamp || c.Type == catalog.TypeDatetime) {
				c.DefaultNow = true
			} else {
				return c, errcode.InvalidDefault.New(c.Name)
			}
		default:
			v, err := constDefault(ct.Default)
			if err != nil {
				return c, errcode.InvalidDefault.New(c.Name)
			}
			cv, err := convertForColumn(&c, v, false)
			if err != nil || (c.Type == catalog.TypeEnum && catalog.EnumIndex(&c, cv) == 0) {
				return c, errcode.InvalidDefault.New(c.Name)
			}
			text := cv.String()
			c.Default = &text
		}
	}
	if ct.OnUpdate != nil {
		c.OnUpdateNow = true
	}
	if c.AutoInc && c.Default != nil {
		return c, errcode.InvalidDefault.New(c.Name)
	}
	return c, nil
}

// constDefault evaluates a literal DEFAULT (numbers may be negative).
func constDefault(e sqlparser.Expr) (types.Value, error) {
	switch d := e.(type) {
	case *sqlparser.SQLVal:
		return sqlValue(d)
	case sqlparser.BoolVal:
		return boolValue(bool(d)), nil
	case *sqlparser.UnaryExpr:
		if strings.HasPrefix(d.Operator, "_") {
			c, _, err := compileIntroducer(d)
			if err != nil {
				return types.Null, err
			}
			return c.eval(nil)
		}
		if d.Operator == "-" {
			v, err := constDefault(d.Expr)
			if err != nil {
				return v, err
			}
			return (&negExpr{&constExpr{v}}).eval(nil)
		}
	case *sqlparser.ParenExpr:
		return constDefault(d.Expr)
	}
	return types.Null, errcode.NotSupported.New("DEFAULT " + sqlparser.String(e))
}

func (x *Executor) createTable(ctx context.Context, s *Session, st *sqlparser.DDL) (*Result, error) {
	schema := st.Table.DbQualifier.String()
	if schema == "" {
		schema = s.DB
	}
	if schema == "" {
		return nil, errcode.NoDatabaseSelected.New()
	}
	if strings.EqualFold(schema, infoSchemaName) {
		return nil, errcode.DBAccessDenied.New(s.User, s.Host, infoSchemaName)
	}
	if !x.schemaExists(schema) {
		return nil, errcode.BadDatabase.New(schema)
	}
	name := st.Table.Name.String()
	if _, _, ok := x.lookupTable(schema, name); ok {
		if st.IfNotExists {
			s.warn("Note", errcode.TableExists.Code, errcode.TableExists.New(name).Message)
			return &Result{}, nil
		}
		return nil, errcode.TableExists.New(name)
	}
	spec := st.TableSpec
	if spec == nil {
		spec = &sqlparser.TableSpec{}
	}
	var asSelect *selectPlan
	if st.OptSelect != nil {
		params := 0
		var err error
		if asSelect, err = x.compileSelect(s, st.OptSelect.Select, parse.Parsed{}, &params, nil); err != nil {
			return nil, err
		}
	}
	t := &catalog.Table{Schema: schema, Name: name, Charset: "utf8mb4", Collation: "utf8mb4_0900_ai_ci"}
	var pk *catalog.Index
	var secondary []catalog.Index
	seen := map[string]bool{}
	for _, cd := range spec.Columns {
		c, err := columnFromAST(cd)
		if err != nil {
			return nil, err
		}
		if seen[strings.ToLower(c.Name)] {
			return nil, errcode.DupFieldName.New(c.Name)
		}
		seen[strings.ToLower(c.Name)] = true
		pos := len(t.Columns)
		switch cd.Type.KeyOpt {
		case 1: // PRIMARY KEY
			if pk != nil {
				return nil, errcode.MultiplePriKey.New()
			}
			pk = &catalog.Index{Name: "PRIMARY", Columns: []int{pos}, Primary: true, Unique: true}
			c.NotNull = true
		case 3, 4: // UNIQUE [KEY]
			secondary = append(secondary, catalog.Index{Name: c.Name, Columns: []int{pos}, Unique: true})
		case 5: // KEY
			if pk == nil {
				pk = &catalog.Index{Name: "PRIMARY", Columns: []int{pos}, Primary: true, Unique: true}
				c.NotNull = true
			}
		}
		t.Columns = append(t.Columns, c)
	}
	if asSelect != nil {
		for _, rc := range asSelect.columns {
			if seen[strings.ToLower(rc.Name)] {
				continue
			}
			seen[strings.ToLower(rc.Name)] = true
			t.Columns = append(t.Columns, x.selectedColumn(rc))
		}
	}
	t.Init()
	for _, id := range spec.Indexes {
		ix := catalog.Index{Name: id.Info.Name.String(), Unique: id.Info.Unique || id.Info.Primary, Primary: id.Info.Primary}
		if id.Info.Fulltext || id.Info.Spatial || id.Info.Vector {
			return nil, errcode.NotSupported.New(strings.ToUpper(id.Info.Type) + " indexes")
		}
		for _, f := range id.Fields {
			ci, ok := t.Column(f.Column.String())
			if !ok {
				return nil, errcode.KeyColumnMissing.New(f.Column.String())
			}
			if c := &t.Columns[ci]; (c.Type == catalog.TypeText || c.Type == catalog.TypeBlob) && f.Length == nil {
				return nil, errcode.BlobKeyWithoutLength.New(c.Name)
			}
			ix.Columns = append(ix.Columns, ci)
		}
		for _, o := range id.Options {
			if strings.EqualFold(o.Name, "comment") && o.Value != nil {
				ix.Comment = string(o.Value.Val)
			}
		}
		if ix.Primary {
			if pk != nil {
				return nil, errcode.MultiplePriKey.New()
			}
			ix.Name = "PRIMARY"
			for _, ci := range ix.Columns {
				t.Columns[ci].NotNull = true
			}
			pk = &ix
			continue
		}
		if ix.Name == "" {
			ix.Name = uniqueIndexName(t, secondary, t.Columns[ix.Columns[0]].Name)
		}
		for _, o := range secondary {
			if strings.EqualFold(o.Name, ix.Name) {
				return nil, errcode.DupKeyName.New(ix.Name)
			}
		}
		secondary = append(secondary, ix)
	}
	for _, cons := range spec.Constraints {
		fk, ok := cons.Details.(*sqlparser.ForeignKeyDefinition)
		if !ok {
			return nil, errcode.NotSupported.New("CHECK constraints")
		}
		ix, err := foreignKeyIndex(t, cons.Name, fk)
		if err != nil {
			return nil, err
		}
		if !indexedPrefix(pk, secondary, ix.Columns) {
			ix.Name = uniqueIndexName(t, secondary, ix.Name)
			secondary = append(secondary, ix)
		}
	}
	for i := range secondary {
		if secondary[i].Name == t.Columns[secondary[i].Columns[0]].Name && i > 0 {
			for j := 0; j < i; j++ {
				if strings.EqualFold(secondary[j].Name, secondary[i].Name) {
					secondary[i].Name = uniqueIndexName(t, secondary[:i], secondary[i].Name)
				}
			}
		}
	}
	if pk == nil {
		// InnoDB promotes the first UNIQUE index on NOT NULL columns to the clustered key
		for i, ix := range secondary {
			allNotNull := ix.Unique
			for _, ci := range ix.Columns {
				allNotNull = allNotNull && t.Columns[ci].NotNull
			}
			if allNotNull {
				promoted := ix
				promoted.Primary = false
				pk = &promoted
				secondary = append(secondary[:i:i], secondary[i+1:]...)
				break
			}
		}
	}
	if pk == nil {
		pk = &catalog.Index{Name: "PRIMARY", Hidden: true, Unique: true}
	}
	t.Indexes = append([]catalog.Index{*pk}, secondary...)
	for i := range t.Indexes {
		if err := checkKeyLength(t, &t.Indexes[i]); err != nil {
			return nil, err
		}
	}
	for _, o := range spec.TableOpts {
		switch strings.ToLower(o.Name) {
		case "comment":
			t.Comment = strings.Trim(o.Value, "'")
		case "engine":
			if !strings.EqualFold(o.Value, "innodb") {
				s.warn("Warning", 1266, "Using storage engine InnoDB for table '"+name+"'")
			}
		}
	}
	t.Init()
	if t.AutoIncCol >= 0 {
		keyed := false
		for _, ix := range t.Indexes {
			if len(ix.Columns) > 0 && ix.Columns[0] == t.AutoIncCol {
				keyed = true
			}
		}
		n := 0
		for _, c := range t.Columns {
			if c.AutoInc {
				n++
			}
		}
		if !keyed || n > 1 {
			return nil, errcode.WrongAutoKey.New()
		}
	}
	if err := x.registerTable(s, t); err != nil {
		return nil, err
	}
	if asSelect == nil {
		return &Result{}, nil
	}
	n, err := x.fillFromSelect(ctx, s, t, asSelect)
	if err != nil {
		// CREATE … SELECT is atomic: the table goes away with its rows
		_ = x.eng.DropTable(t.ID)
		x.mu.Lock()
		delete(x.mu.tables, tableKey(t.Schema, t.Name))
		x.mu.version++
		x.mu.Unlock()
		return nil, err
	}
	return &Result{AffectedRows: n, Info: fmt.Sprintf("Records: %d  Duplicates: 0  Warnings: 0", n)}, nil
}

// registerTable creates the table in the engine and adds it to the catalog.
func (x *Executor) registerTable(s *Session, t *catalog.Table) error {
	info, err := x.eng.CreateTable(engine.TableSpec{Schema: t.Schema, Name: t.Name, Meta: t.Encode(), Indexes: t.IndexSpecs()})
	if err != nil {
		if errors.Is(err, engine.ErrTableExists) {
			return errcode.TableExists.New(t.Name)
		}
		return x.engineError(s, err)
	}
	t.ID = info.ID
	x.mu.Lock()
	x.mu.tables[tableKey(t.Schema, t.Name)] = t
	x.mu.version++
	x.mu.Unlock()
	return nil
}

// selectedColumn is the column CREATE TABLE … SELECT makes for a result
// column: the source column's definition when it is one (without
// AUTO_INCREMENT or keys), else a type that holds the values.
func (x *Executor) selectedColumn(rc Column) catalog.Column {
	if rc.OrgTable != "" && rc.OrgName != "" {
		if src, _, ok := x.lookupTable(rc.Schema, rc.OrgTable); ok {
			if i, ok := src.Column(rc.OrgName); ok {
				c := src.Columns[i]
				c.Name, c.AutoInc = rc.Name, false
				return c
			}
		}
	}
	return derivedColumn(rc)
}

// fillFromSelect inserts the rows of a CREATE TABLE … SELECT.
func (x *Executor) fillFromSelect(ctx context.Context, s *Session, t *catalog.Table, pl *selectPlan) (uint64, error) {
	txn, err := x.eng.Begin(ctx, engine.TxnOptions{})
	if err != nil {
		return 0, x.engineError(s, err)
	}
	st := &stmtCtx{ctx: ctx, s: s, x: x, txn: txn, now: time.Now()}
	rows, err := x.execSelect(st, pl)
	if err != nil {
		_ = txn.Rollback()
		return 0, err
	}
	pos := make([]int, len(pl.columns))
	for i, rc := range pl.columns {
		pos[i], _ = t.Column(rc.Name)
	}
	for n, r := range rows {
		row := make([]types.Value, len(t.Columns))
		given := make([]bool, len(t.Columns))
		for i, v := range r {
			c := &t.Columns[pos[i]]
			given[pos[i]] = true
			if v.IsNull() {
				if c.NotNull {
					_ = txn.Rollback()
					return 0, errcode.BadNull.New(c.Name)
				}
				continue
			}
			if row[pos[i]], err = st.storeValue(c, v, n+1); err != nil {
				_ = txn.Rollback()
				return 0, err
			}
		}
		for ci := range t.Columns {
			if !given[ci] {
				if row[ci], err = st.defaultValue(&t.Columns[ci], n+1, false); err != nil {
					_ = txn.Rollback()
					return 0, err
				}
			}
		}
		if err := st.insertRow(t, row); err != nil {
			_ = txn.Rollback()
			var de *dupError
			if errors.As(err, &de) {
				return 0, de.err
			}
			return 0, err
		}
	}
	if err := txn.Commit(); err != nil {
		return 0, x.engineError(s, err)
	}
	return uint64(len(rows)), nil
}

// createTableLike copies another table's definition (CREATE TABLE … LIKE).
func (x *Executor) createTableLike(s *Session, st *sqlparser.DDL) (*Result, error) {
	if len(st.OptLike.LikeTables) != 1 {
		return nil, errcode.NotSupported.New("LIKE with several tables")
	}
	src, err := x.resolveTable(s, st.OptLike.LikeTables[0])
	if err != nil {
		return nil, err
	}
	schema := st.Table.DbQualifier.String()
	if schema == "" {
		schema = s.DB
	}
	if schema == "" {
		return nil, errcode.NoDatabaseSelected.New()
	}
	if !x.schemaExists(schema) || strings.EqualFold(schema, infoSchemaName) {
		return nil, errcode.BadDatabase.New(schema)
	}
	if _, _, ok := x.lookupTable(schema, st.Table.Name.String()); ok {
		if st.IfNotExists {
			s.warn("Note", errcode.TableExists.Code, errcode.TableExists.New(st.Table.Name.String()).Message)
			return &Result{}, nil
		}
		return nil, errcode.TableExists.New(st.Table.Name.String())
	}
	t := cloneTable(src)
	t.Schema, t.Name = schema, st.Table.Name.String()
	t.Init()
	return &Result{}, x.registerTable(s, t)
}

func uniqueIndexName(t *catalog.Table, others []catalog.Index, base string) string {
	name := base
	for n := 2; ; n++ {
		clash := false
		for _, o := range others {
			if strings.EqualFold(o.Name, name) {
				clash = true
			}
		}
		if !clash {
			return name
		}
		name = base + "_" + strconv.Itoa(n)
	}
}

// runAlterTable handles CREATE INDEX and DROP INDEX (the parser's ALTER TABLE forms).
func (x *Executor) runAlterTable(ctx context.Context, s *Session, st *sqlparser.AlterTable) (*Result, error) {
	if err := x.commit(s); err != nil {
		return nil, err
	}
	x.ddlMu.Lock()
	defer x.ddlMu.Unlock()
	t, err := x.resolveTable(s, st.Table)
	if err != nil {
		return nil, err
	}
	records := uint64(0)
	for _, d := range st.Statements {
		if d.IndexSpec == nil {
			n, err := x.alterTable(ctx, s, t, d)
			if err != nil {
				return nil, err
			}
			records += n
			t, _, _ = x.lookupTable(t.Schema, t.Name)
			continue
		}
		switch strings.ToLower(d.IndexSpec.Action) {
		case "create":
			if err := x.createIndex(s, t, d.IndexSpec); err != nil {
				return nil, err
			}
		case "drop":
			if err := x.dropIndex(s, t, d.IndexSpec.ToName.String()); err != nil {
				return nil, err
			}
		default:
			return nil, errcode.NotSupported.New("ALTER TABLE … " + strings.ToUpper(d.IndexSpec.Action) + " INDEX")
		}
		t, _, _ = x.lookupTable(t.Schema, t.Name)
	}
	return &Result{AffectedRows: records, Info: fmt.Sprintf("Records: %d  Duplicates: 0  Warnings: 0", records)}, nil
}

// cloneTable copies a definition for a DDL change.
func cloneTable(t *catalog.Table) *catalog.Table {
	n := *t
	n.Columns = append([]catalog.Column(nil), t.Columns...)
	n.Indexes = append([]catalog.Index(nil), t.Indexes...)
	for i := range n.Indexes {
		n.Indexes[i].Columns = append([]int(nil), n.Indexes[i].Columns...)
	}
	return &n
}

func (x *Executor) createIndex(s *Session, t *catalog.Table, is *sqlparser.IndexSpec) error {
	ix := catalog.Index{Name: is.ToName.String(), Unique: strings.EqualFold(is.Type, "unique")}
	if is.Type != "" && !ix.Unique {
		return errcode.NotSupported.New(strings.ToUpper(is.Type) + " indexes")
	}
	for _, f := range is.Fields {
		ci, ok := t.Column(f.Column.String())
		if !ok {
			return errcode.KeyColumnMissing.New(f.Column.String())
		}
		ix.Columns = append(ix.Columns, ci)
	}
	if ix.Name == "" {
		ix.Name = uniqueIndexName(t, t.Indexes, t.Columns[ix.Columns[0]].Name)
	}
	if _, ok := t.IndexByName(ix.Name); ok {
		return errcode.DupKeyName.New(ix.Name)
	}
	if err := checkKeyLength(t, &ix); err != nil {
		return err
	}
	nt := cloneTable(t)
	nt.Indexes = append(nt.Indexes, ix)
	nt.Init()
	pos := len(nt.Indexes) - 1
	n, err := x.eng.AddIndex(t.ID, engine.IndexSpec{Name: ix.Name, Unique: ix.Unique}, nt.Encode(), func(txn engine.Txn, index int) error {
		cur, err := txn.Scan(t.ID, 0, engine.Bound{}, engine.Bound{}, false, engine.LockNone)
		if err != nil {
			return err
		}
		defer cur.Close()
		var row []types.Value
		for cur.Next() {
			row, err = catalog.DecodeRow(row[:0], cur.Value(), len(t.Columns))
			if err != nil {
				return err
			}
			if ix.Unique {
				prefix, hasNull := secondaryPrefix(nil, nt, &nt.Indexes[pos], row)
				if !hasNull {
					c2, err := txn.Scan(t.ID, index, engine.Bound{Key: prefix, Inclusive: true}, engine.Bound{Key: prefixEnd(prefix)}, false, engine.LockNone)
					if err != nil {
						return err
					}
					dup := c2.Next()
					_ = c2.Close()
					if dup {
						return errcode.DupEntry.New(dupText(nt, &nt.Indexes[pos], row), t.Name+"."+ix.Name)
					}
				}
			}
			key := secondaryKey(nil, nt, &nt.Indexes[pos], row, cur.Key())
			if err := txn.Insert(t.ID, index, key, nil); err != nil {
				return err
			}
		}
		return cur.Err()
	})
	if err != nil {
		return x.engineError(s, err)
	}
	if n != pos {
		return errcode.InternalError.New("engine placed the new index at " + strconv.Itoa(n))
	}
	x.mu.Lock()
	x.mu.tables[tableKey(t.Schema, t.Name)] = nt
	x.mu.version++
	x.mu.Unlock()
	return nil
}

func (x *Executor) dropIndex(s *Session, t *catalog.Table, name string) error {
	i, ok := t.IndexByName(name)
	if !ok || t.Indexes[i].Hidden {
		return errcode.CantDropKey.New(name)
	}
	if i == 0 {
		return errcode.NotSupported.New("dropping the primary key")
	}
	nt := cloneTable(t)
	nt.Indexes = append(nt.Indexes[:i:i], nt.Indexes[i+1:]...)
	nt.Init()
	if err := x.eng.DropIndex(t.ID, i, nt.Encode()); err != nil {
		return x.engineError(s, err)
	}
	x.mu.Lock()
	x.mu.tables[tableKey(t.Schema, t.Name)] = nt
	x.mu.version++
	x.mu.Unlock()
	return nil
}

// foreignKeyIndex is the index InnoDB creates for a FOREIGN KEY's columns
// (tandem keeps the index but does not enforce the reference).
func foreignKeyIndex(t *catalog.Table, name string, fk *sqlparser.ForeignKeyDefinition) (catalog.Index, error) {
	ix := catalog.Index{Name: name}
	if fk.Index != "" {
		ix.Name = fk.Index
	}
	for _, c := range fk.Source {
		ci, ok := t.Column(c.String())
		if !ok {
			return ix, errcode.KeyColumnMissing.New(c.String())
		}
		ix.Columns = append(ix.Columns, ci)
	}
	if len(ix.Columns) == 0 {
		return ix, errcode.ParseError.New("FOREIGN KEY ()", 1)
	}
	if ix.Name == "" {
		ix.Name = t.Columns[ix.Columns[0]].Name
	}
	return ix, nil
}

// indexedPrefix reports whether cols lead an existing index.
func indexedPrefix(pk *catalog.Index, secondary []catalog.Index, cols []int) bool {
	all := secondary
	if pk != nil {
		all = append([]catalog.Index{*pk}, secondary...)
	}
	for _, ix := range all {
		if len(ix.Columns) < len(cols) {
			continue
		}
		match := true
		for i, c := range cols {
			match = match && ix.Columns[i] == c
		}
		if match {
			return true
		}
	}
	return false
}

// maxKeyLength is InnoDB's index key limit (DYNAMIC row format).
const maxKeyLength = 3072

// checkKeyLength refuses indexes whose columns exceed InnoDB's key length.
func checkKeyLength(t *catalog.Table, ix *catalog.Index) error {
	n := 0
	for _, ci := range ix.Columns {
		c := &t.Columns[ci]
		switch c.Type {
		case catalog.TypeChar, catalog.TypeVarchar:
			n += c.Length * 4
		case catalog.TypeBinary, catalog.TypeVarbinary:
			n += c.Length
		default:
			n += keyLen(c)
			if !c.NotNull {
				n--
			}
		}
	}
	if n > maxKeyLength {
		return errcode.KeyTooLong.New(maxKeyLength)
	}
	return nil
}

package sql

import (
	"sort"
	"strings"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/parse"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// infoSchemaName is the read-only schema describing the catalog.
const infoSchemaName = "information_schema"

// infoTable is one information_schema view: its columns (name and whether
// numeric) and a function listing its rows from the catalog.
type infoTable struct {
	cols []infoCol
	rows func(x *Executor) [][]types.Value
}

type infoCol struct {
	name    string
	numeric bool
}

func strCols(names ...string) []infoCol {
	out := make([]infoCol, len(names))
	for i, n := range names {
		out[i] = infoCol{name: n}
	}
	return out
}

// infoTables declares the information_schema views tandem serves.
func infoTables() map[string]infoTable {
	return map[string]infoTable{
		"schemata": {
			cols: strCols("CATALOG_NAME", "SCHEMA_NAME", "DEFAULT_CHARACTER_SET_NAME", "DEFAULT_COLLATION_NAME", "SQL_PATH", "DEFAULT_ENCRYPTION"),
			rows: func(x *Executor) [][]types.Value {
				var out [][]types.Value
				for _, s := range append([]string{infoSchemaName}, x.eng.Schemas()...) {
					out = append(out, []types.Value{str("def"), str(s), str("utf8mb4"), str("utf8mb4_0900_ai_ci"), types.Null, str("NO")})
				}
				return out
			},
		},
		"tables": {
			cols: withNumeric(strCols("TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "ENGINE", "VERSION", "ROW_FORMAT", "TABLE_ROWS",
				"AVG_ROW_LENGTH", "DATA_LENGTH", "MAX_DATA_LENGTH", "INDEX_LENGTH", "DATA_FREE", "AUTO_INCREMENT", "CREATE_TIME", "UPDATE_TIME",
				"CHECK_TIME", "TABLE_COLLATION", "CHECKSUM", "CREATE_OPTIONS", "TABLE_COMMENT"), 5, 7, 8, 9, 10, 11, 12, 13),
			rows: func(x *Executor) [][]types.Value {
				var out [][]types.Value
				for _, t := range x.sortedTables() {
					ai := types.Null
					if info, ok := x.eng.Table(t.Schema, t.Name); ok && t.AutoIncCol >= 0 {
						ai = types.NewUint(info.AutoIncrement)
					}
					out = append(out, []types.Value{str("def"), str(t.Schema), str(t.Name), str("BASE TABLE"), str("InnoDB"), types.NewUint(10),
						str("Dynamic"), types.NewUint(0), types.NewUint(0), types.NewUint(16384), types.NewUint(0), types.NewUint(0), types.NewUint(0),
						ai, types.Null, types.Null, types.Null, str("utf8mb4_0900_ai_ci"), types.Null, str(""), str(t.Comment)})
				}
				return out
			},
		},
		"columns": {
			cols: withNumeric(strCols("TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION", "COLUMN_DEFAULT", "IS_NULLABLE",
				"DATA_TYPE", "CHARACTER_MAXIMUM_LENGTH", "CHARACTER_OCTET_LENGTH", "NUMERIC_PRECISION", "NUMERIC_SCALE", "DATETIME_PRECISION",
				"CHARACTER_SET_NAME", "COLLATION_NAME", "COLUMN_TYPE", "COLUMN_KEY", "EXTRA", "PRIVILEGES", "COLUMN_COMMENT", "GENERATION_EXPRESSION", "SRS_ID"),
				4, 8, 9, 10, 11, 12, 21),
			rows: func(x *Executor) [][]types.Value {
				var out [][]types.Value
				for _, t := range x.sortedTables() {
					desc := x.showColumns(t, true, nil)
					for i := range t.Columns {
						c := &t.Columns[i]
						r := desc.Rows[i] // Field, Type, Collation, Null, Key, Default, Extra, Privileges, Comment
						charLen, octLen, numPrec, numScale, dtPrec := types.Null, types.Null, types.Null, types.Null, types.Null
						cs := types.Null
						switch {
						case c.IsString() || c.IsBinary():
							n := uint64(c.Length)
							if c.Type == catalog.TypeEnum {
								n = 0
								for _, m := range c.Enum {
									n = max(n, uint64(len([]rune(m))))
								}
							}
							charLen, octLen = types.NewUint(n), types.NewUint(n)
							if c.IsString() {
								cs = str("utf8mb4")
								if c.Type != catalog.TypeText {
									octLen = types.NewUint(n * 4)
								}
							}
						case c.IsIntegral():
							numPrec, numScale = types.NewUint(uint64(intPrecision(c))), types.NewUint(0)
						case c.Type == catalog.TypeDecimal:
							numPrec, numScale = types.NewUint(uint64(c.Precision)), types.NewUint(uint64(c.Scale))
						case c.Type == catalog.TypeFloat:
							numPrec = types.NewUint(12)
						case c.Type == catalog.TypeDouble:
							numPrec = types.NewUint(22)
						case c.IsTemporal() && c.Type != catalog.TypeDate:
							dtPrec = types.NewUint(uint64(c.Fsp))
						}
						dataType := strings.ToLower(c.TypeName)
						if k := strings.IndexAny(dataType, "( "); k >= 0 {
							dataType = dataType[:k]
						}
						out = append(out, []types.Value{str("def"), str(t.Schema), str(t.Name), str(c.Name), types.NewUint(uint64(i + 1)), r[5], r[3],
							str(dataType), charLen, octLen, numPrec, numScale, dtPrec, cs, r[2], str(c.TypeName), r[4], r[6], r[7], r[8], str(""), types.Null})
					}
				}
				return out
			},
		},
		"statistics": {
			cols: withNumeric(strCols("TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "NON_UNIQUE", "INDEX_SCHEMA", "INDEX_NAME", "SEQ_IN_INDEX",
				"COLUMN_NAME", "COLLATION", "CARDINALITY", "SUB_PART", "PACKED", "NULLABLE", "INDEX_TYPE", "COMMENT", "INDEX_COMMENT", "IS_VISIBLE", "EXPRESSION"), 3, 6, 9, 10),
			rows: func(x *Executor) [][]types.Value {
				var out [][]types.Value
				for _, t := range x.sortedTables() {
					for _, ix := range t.Indexes {
						if ix.Hidden {
							continue
						}
						for seq, ci := range ix.Columns {
							nonUnique, nullable := uint64(1), ""
							if ix.Unique || ix.Primary {
								nonUnique = 0
							}
							if !t.Columns[ci].NotNull {
								nullable = "YES"
							}
							out = append(out, []types.Value{str("def"), str(t.Schema), str(t.Name), types.NewUint(nonUnique), str(t.Schema), str(ix.Name),
								types.NewUint(uint64(seq + 1)), str(t.Columns[ci].Name), str("A"), types.NewUint(0), types.Null, types.Null, str(nullable),
								str("BTREE"), str(""), str(ix.Comment), str("YES"), types.Null})
						}
					}
				}
				return out
			},
		},
		"key_column_usage": {
			cols: withNumeric(strCols("CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME",
				"COLUMN_NAME", "ORDINAL_POSITION", "POSITION_IN_UNIQUE_CONSTRAINT", "REFERENCED_TABLE_SCHEMA", "REFERENCED_TABLE_NAME", "REFERENCED_COLUMN_NAME"), 7, 8),
			rows: func(x *Executor) [][]types.Value {
				var out [][]types.Value
				for _, t := range x.sortedTables() {
					for _, ix := range t.Indexes {
						if ix.Hidden || !(ix.Unique || ix.Primary) {
							continue
						}
						for seq, ci := range ix.Columns {
							out = append(out, []types.Value{str("def"), str(t.Schema), str(ix.Name), str("def"), str(t.Schema), str(t.Name),
								str(t.Columns[ci].Name), types.NewUint(uint64(seq + 1)), types.Null, types.Null, types.Null, types.Null})
						}
					}
				}
				return out
			},
		},
	}
}

func withNumeric(cols []infoCol, idx ...int) []infoCol {
	for _, i := range idx {
		cols[i].numeric = true
	}
	return cols
}

func str(s string) types.Value { return types.NewString(s) }

func intPrecision(c *catalog.Column) int {
	switch c.Type {
	case catalog.TypeTinyInt, catalog.TypeBool:
		return 3
	case catalog.TypeSmallInt:
		return 5
	case catalog.TypeMediumInt:
		return 7
	case catalog.TypeInt:
		return 10
	case catalog.TypeBigInt:
		if c.Unsigned {
			return 20
		}
		return 19
	}
	return 4
}

// sortedTables lists the catalog by schema and name.
func (x *Executor) sortedTables() []*catalog.Table {
	x.mu.RLock()
	out := make([]*catalog.Table, 0, len(x.mu.tables))
	for _, t := range x.mu.tables {
		out = append(out, t)
	}
	x.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// infoSchemaTable builds the definition of an information_schema view, and its rows.
func (x *Executor) infoSchemaTable(name string) (*catalog.Table, func(*stmtCtx) ([][]types.Value, error), bool) {
	it, ok := infoTables()[strings.ToLower(name)]
	if !ok {
		return nil, nil, false
	}
	t := &catalog.Table{Schema: infoSchemaName, Name: strings.ToUpper(name), Indexes: []catalog.Index{{Name: "PRIMARY", Hidden: true}}}
	for _, c := range it.cols {
		col := catalog.Column{Name: c.name, Type: catalog.TypeVarchar, Length: 64, TypeName: "varchar(64)"}
		if c.numeric {
			col = catalog.Column{Name: c.name, Type: catalog.TypeBigInt, Unsigned: true, TypeName: "bigint unsigned"}
		}
		t.Columns = append(t.Columns, col)
	}
	t.Init()
	return t, func(*stmtCtx) ([][]types.Value, error) { return it.rows(x), nil }, true
}

// derivedTable compiles FROM (SELECT …) AS alias into a table definition
// whose rows the subquery produces when the outer query opens it.
func (x *Executor) derivedTable(s *Session, sq *sqlparser.Subquery, alias string, params *int) (*catalog.Table, func(*stmtCtx) ([][]types.Value, error), error) {
	pl, err := x.compileSelect(s, sq.Select, parse.Parsed{}, params, nil)
	if err != nil {
		return nil, nil, err
	}
	t := &catalog.Table{Name: alias, Indexes: []catalog.Index{{Name: "PRIMARY", Hidden: true}}}
	seen := map[string]bool{}
	for _, c := range pl.columns {
		if seen[strings.ToLower(c.Name)] {
			return nil, nil, errcode.DupFieldName.New(c.Name)
		}
		seen[strings.ToLower(c.Name)] = true
		t.Columns = append(t.Columns, derivedColumn(c))
	}
	t.Init()
	return t, func(st *stmtCtx) ([][]types.Value, error) { return x.execSelect(st, pl) }, nil
}

// derivedColumn picks a column type that describes a result column.
func derivedColumn(c Column) catalog.Column {
	col := catalog.Column{Name: c.Name, NotNull: c.Flags&FlagNotNull != 0, Unsigned: c.Flags&FlagUnsigned != 0}
	switch c.Type {
	case TypeTiny, TypeShort, TypeInt24, TypeLong, TypeLonglong, TypeYear:
		col.Type, col.TypeName = catalog.TypeBigInt, "bigint"
	case TypeNewDecimal:
		col.Type, col.Precision, col.Scale, col.TypeName = catalog.TypeDecimal, 65, int(min(c.Decimals, 30)), "decimal"
	case TypeFloat, TypeDouble:
		col.Type, col.TypeName = catalog.TypeDouble, "double"
	case TypeDate:
		col.Type, col.TypeName = catalog.TypeDate, "date"
	case TypeDatetime, TypeTimestamp:
		col.Type, col.Fsp, col.TypeName = catalog.TypeDatetime, int(min(c.Decimals, 6)), "datetime"
	default:
		col.Type, col.Length, col.TypeName = catalog.TypeText, 1<<32-1, "longtext"
	}
	return col
}

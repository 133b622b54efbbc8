package catalog

import (
	"encoding/json"
	"strings"

	"github.com/tandem-db/tandem/internal/mysql/engine"
)

// Type is a column's SQL type.
type Type uint8

// The column types.
const (
	TypeTinyInt Type = iota + 1
	TypeSmallInt
	TypeMediumInt
	TypeInt
	TypeBigInt
	TypeDecimal
	TypeFloat
	TypeDouble
	TypeChar
	TypeVarchar
	TypeText // TINYTEXT/TEXT/MEDIUMTEXT/LONGTEXT: Length is the byte limit
	TypeBinary
	TypeVarbinary
	TypeBlob
	TypeDate
	TypeDatetime
	TypeTimestamp
	TypeTime
	TypeYear
	TypeEnum
	TypeBool
)

// Column is one column definition.
type Column struct {
	Name      string
	Type      Type
	TypeName  string // as SHOW CREATE TABLE prints it, e.g. "int unsigned", "varchar(100)"
	Unsigned  bool
	Length    int // CHAR/VARCHAR characters, TEXT/BLOB bytes
	Precision int // DECIMAL
	Scale     int // DECIMAL
	Fsp       int // DATETIME/TIMESTAMP/TIME fractional digits
	Enum      []string
	NotNull   bool
	// Default is the literal default (nil: none given). DefaultNow means CURRENT_TIMESTAMP.
	Default     *string
	DefaultNow  bool
	DefaultNull bool
	OnUpdateNow bool
	AutoInc     bool
	Comment     string
}

// Index is one index; Indexes[0] of a Table is the clustered index.
type Index struct {
	Name    string
	Columns []int // column positions
	Unique  bool
	Primary bool
	Hidden  bool // the clustered index on the hidden row ID
	Comment string
}

// Table is one table definition.
type Table struct {
	ID            engine.TableID `json:"-"`
	Schema        string         `json:"-"`
	Name          string         `json:"-"`
	Columns       []Column
	Indexes       []Index
	Comment       string
	AutoIncCol    int // -1 when none
	Charset       string
	Collation     string
	byName        map[string]int
	pkCols        []int
	indexOfColumn map[int][]int
}

// Encode serializes the definition for TableSpec.Meta.
func (t *Table) Encode() []byte {
	b, err := json.Marshal(t)
	if err != nil {
		panic(err) // a Table always marshals
	}
	return b
}

// Decode rebuilds a definition from TableInfo.
func Decode(info engine.TableInfo) (*Table, error) {
	t := &Table{}
	if err := json.Unmarshal(info.Meta, t); err != nil {
		return nil, err
	}
	t.ID, t.Schema, t.Name = info.ID, info.Schema, info.Name
	t.Init()
	return t, nil
}

// Init builds the lookup maps; call it after changing Columns or Indexes.
func (t *Table) Init() {
	t.byName = make(map[string]int, len(t.Columns))
	t.AutoIncCol = -1
	for i, c := range t.Columns {
		t.byName[strings.ToLower(c.Name)] = i
		if c.AutoInc {
			t.AutoIncCol = i
		}
	}
	t.pkCols = nil
	if len(t.Indexes) > 0 && !t.Indexes[0].Hidden {
		t.pkCols = t.Indexes[0].Columns
	}
	t.indexOfColumn = map[int][]int{}
	for i, ix := range t.Indexes {
		if ix.Hidden {
			continue
		}
		t.indexOfColumn[ix.Columns[0]] = append(t.indexOfColumn[ix.Columns[0]], i)
	}
}

// Column finds a column by name (case-insensitive).
func (t *Table) Column(name string) (int, bool) {
	i, ok := t.byName[strings.ToLower(name)]
	return i, ok
}

// HiddenPK reports whether the clustered index is keyed by the hidden row ID.
func (t *Table) HiddenPK() bool { return t.Indexes[0].Hidden }

// PKColumns returns the primary key's columns (nil for a hidden one).
func (t *Table) PKColumns() []int { return t.pkCols }

// IndexSpecs returns the engine's view of the indexes.
func (t *Table) IndexSpecs() []engine.IndexSpec {
	out := make([]engine.IndexSpec, len(t.Indexes))
	for i, ix := range t.Indexes {
		out[i] = engine.IndexSpec{Name: ix.Name, Unique: ix.Unique || ix.Primary}
	}
	return out
}

// IndexByName finds an index by name (case-insensitive).
func (t *Table) IndexByName(name string) (int, bool) {
	for i, ix := range t.Indexes {
		if strings.EqualFold(ix.Name, name) {
			return i, true
		}
	}
	return 0, false
}

// ColumnFlagsKey reports how a column takes part in keys: primary, unique
// (first column of a single-column unique index) or multiple (first column of
// a non-unique index), as the protocol's column flags say.
func (t *Table) ColumnFlagsKey(col int) (pri, uni, mul bool) {
	for _, i := range t.indexOfColumn[col] {
		ix := t.Indexes[i]
		switch {
		case ix.Primary:
			pri = true
		case ix.Unique && len(ix.Columns) == 1:
			uni = true
		default:
			mul = true
		}
	}
	return
}

// IsIntegral reports whether the type is an integer type.
func (c *Column) IsIntegral() bool {
	switch c.Type {
	case TypeTinyInt, TypeSmallInt, TypeMediumInt, TypeInt, TypeBigInt, TypeBool, TypeYear:
		return true
	}
	return false
}

// IsString reports whether the type holds character data.
func (c *Column) IsString() bool {
	switch c.Type {
	case TypeChar, TypeVarchar, TypeText, TypeEnum:
		return true
	}
	return false
}

// IsBinary reports whether the type holds binary data.
func (c *Column) IsBinary() bool {
	switch c.Type {
	case TypeBinary, TypeVarbinary, TypeBlob:
		return true
	}
	return false
}

// IsTemporal reports whether the type is a date/time type.
func (c *Column) IsTemporal() bool {
	switch c.Type {
	case TypeDate, TypeDatetime, TypeTimestamp, TypeTime:
		return true
	}
	return false
}

// IntRange returns the inclusive range of an integer column.
func (c *Column) IntRange() (lo int64, hi uint64) {
	bits := 0
	switch c.Type {
	case TypeTinyInt, TypeBool:
		bits = 8
	case TypeSmallInt:
		bits = 16
	case TypeMediumInt:
		bits = 24
	case TypeInt:
		bits = 32
	case TypeBigInt:
		bits = 64
	case TypeYear:
		return 1901, 2155
	}
	if c.Unsigned {
		if bits == 64 {
			return 0, ^uint64(0)
		}
		return 0, 1<<bits - 1
	}
	return -(1 << (bits - 1)), 1<<(bits-1) - 1
}

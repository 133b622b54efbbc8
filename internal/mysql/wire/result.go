package wire

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// Column is one column definition of a result set or of a prepared
// statement's parameters.
type Column struct {
	Schema, Table, OrgTable, Name, OrgName string
	Type                                   byte
	Flags                                  uint16
	Length                                 uint32
	Decimals                               uint8
	Charset                                uint16
}

// Value converts a decoded parameter into the executor's value, copying bytes
// out of the packet.
func (p *Param) Value() types.Value {
	switch p.Kind {
	case ParamInt:
		return types.NewInt(p.Int)
	case ParamUint:
		return types.NewUint(p.Uint)
	case ParamFloat:
		return types.NewFloat(p.Float)
	case ParamBytes:
		return types.NewBytes(bytes.Clone(p.Bytes))
	case ParamDate:
		return types.NewDate(p.Year, p.Month, p.Day)
	case ParamDatetime:
		var fsp uint8
		if p.Micro != 0 {
			fsp = 6
		}
		return types.NewDatetime(p.Year, p.Month, p.Day, p.Hour, p.Minute, p.Second, p.Micro, fsp)
	case ParamTime:
		var fsp uint8
		if p.Micros%1000000 != 0 {
			fsp = 6
		}
		return types.NewDuration(p.Micros, fsp)
	}
	return types.Null
}

// WriteOK buffers an OK packet.
func (c *Conn) WriteOK(affected, lastInsertID uint64, status, warnings uint16, info string) {
	c.writeOK(0x00, affected, lastInsertID, status, warnings, info)
}

func (c *Conn) writeOK(header byte, affected, lastInsertID uint64, status, warnings uint16, info string) {
	start := c.begin()
	b := append(c.wbuf, header)
	b = AppendLenEncInt(b, affected)
	b = AppendLenEncInt(b, lastInsertID)
	b = binary.LittleEndian.AppendUint16(b, status)
	b = binary.LittleEndian.AppendUint16(b, warnings)
	if info != "" {
		// Length-encoded, as MySQL's server writes it and libmysqlclient
		// and libmariadb read it (the documented string<EOF> is not what
		// clients parse).
		b = AppendLenEncString(b, info)
	}
	c.wbuf = b
	c.end(start)
}

// WriteErr buffers an ERR packet.
func (c *Conn) WriteErr(code uint16, state, message string) {
	start := c.begin()
	b := append(c.wbuf, 0xff)
	b = binary.LittleEndian.AppendUint16(b, code)
	if len(state) != 5 {
		state = "HY000"
	}
	b = append(append(b, '#'), state...)
	c.wbuf = append(b, message...)
	c.end(start)
}

// WriteEOF buffers an EOF packet.
func (c *Conn) WriteEOF(status, warnings uint16) {
	start := c.begin()
	b := append(c.wbuf, 0xfe)
	b = binary.LittleEndian.AppendUint16(b, warnings)
	c.wbuf = binary.LittleEndian.AppendUint16(b, status)
	c.end(start)
}

// WriteString buffers a packet holding only text (COM_STATISTICS' reply).
func (c *Conn) WriteString(s string) {
	start := c.begin()
	c.wbuf = append(c.wbuf, s...)
	c.end(start)
}

// writeColumnsEnd ends a run of column definitions: an EOF packet unless the
// client negotiated CLIENT_DEPRECATE_EOF.
func (c *Conn) writeColumnsEnd(caps uint32, status uint16) {
	if caps&ClientDeprecateEOF == 0 {
		c.WriteEOF(status, 0)
	}
}

// WriteResultEnd ends a result set's rows: an EOF packet, or with
// CLIENT_DEPRECATE_EOF an OK packet with the 0xfe header.
func (c *Conn) WriteResultEnd(caps uint32, status, warnings uint16) {
	if caps&ClientDeprecateEOF == 0 {
		c.WriteEOF(status, warnings)
		return
	}
	c.writeOK(0xfe, 0, 0, status, warnings, "")
}

// WriteColumnCount starts a result set.
func (c *Conn) WriteColumnCount(n int) {
	start := c.begin()
	c.wbuf = AppendLenEncInt(c.wbuf, uint64(n))
	c.end(start)
}

// WriteColumn buffers one column definition (Protocol::ColumnDefinition41).
// COM_FIELD_LIST's replies carry a default value; withDefault adds an empty one.
func (c *Conn) WriteColumn(col *Column, withDefault bool) {
	start := c.begin()
	b := append(c.wbuf, 3, 'd', 'e', 'f')
	b = AppendLenEncString(b, col.Schema)
	b = AppendLenEncString(b, col.Table)
	b = AppendLenEncString(b, col.OrgTable)
	b = AppendLenEncString(b, col.Name)
	b = AppendLenEncString(b, col.OrgName)
	b = append(b, 0x0c)
	b = binary.LittleEndian.AppendUint16(b, col.Charset)
	b = binary.LittleEndian.AppendUint32(b, col.Length)
	b = append(b, col.Type)
	b = binary.LittleEndian.AppendUint16(b, col.Flags)
	b = append(b, col.Decimals, 0, 0)
	if withDefault {
		b = append(b, 0xfb)
	}
	c.wbuf = b
	c.end(start)
}

// WriteColumns buffers a column count, the definitions and (without
// CLIENT_DEPRECATE_EOF) their EOF.
func (c *Conn) WriteColumns(caps uint32, cols []Column, status uint16) {
	c.WriteColumnCount(len(cols))
	for i := range cols {
		c.WriteColumn(&cols[i], false)
	}
	c.writeColumnsEnd(caps, status)
}

// WriteFieldList answers COM_FIELD_LIST: definitions with defaults, then EOF.
func (c *Conn) WriteFieldList(caps uint32, cols []Column, status uint16) {
	for i := range cols {
		c.WriteColumn(&cols[i], true)
	}
	c.WriteResultEnd(caps, status, 0)
}

// WriteTextRow buffers one row of a text result set.
func (c *Conn) WriteTextRow(row []types.Value) error {
	start := c.begin()
	b := c.wbuf
	for i := range row {
		v := &row[i]
		if v.IsNull() {
			b = append(b, 0xfb)
			continue
		}
		b = appendLenEncText(b, v)
	}
	c.wbuf = b
	c.end(start)
	return c.maybeFlush()
}

// appendLenEncText appends v's text form with its length prefix, guessing a
// one-byte prefix and moving the text when it is 251 bytes or longer.
func appendLenEncText(b []byte, v *types.Value) []byte {
	at := len(b)
	b = v.AppendText(append(b, 0))
	n := len(b) - at - 1
	if n < 251 {
		b[at] = byte(n)
		return b
	}
	var prefix [9]byte
	p := AppendLenEncInt(prefix[:0], uint64(n))
	extra := len(p) - 1
	b = append(b, prefix[:extra]...)
	copy(b[at+len(p):], b[at+1:at+1+n])
	copy(b[at:], p)
	return b
}

// WriteBinaryRow buffers one row of a binary (prepared statement) result set.
func (c *Conn) WriteBinaryRow(cols []Column, row []types.Value) error {
	start := c.begin()
	b := append(c.wbuf, 0x00)
	nullAt := len(b)
	for range (len(row) + 7 + 2) / 8 {
		b = append(b, 0)
	}
	for i := range row {
		v := &row[i]
		if v.IsNull() {
			bit := i + 2
			b[nullAt+bit/8] |= 1 << (bit % 8)
			continue
		}
		var col Column
		if i < len(cols) {
			col = cols[i]
		} else {
			col.Type = TypeVarString
		}
		b = appendBinaryValue(b, &col, v)
	}
	c.wbuf = b
	c.end(start)
	return c.maybeFlush()
}

func appendBinaryValue(b []byte, col *Column, v *types.Value) []byte {
	unsigned := col.Flags&FlagUnsigned != 0
	integer := func() uint64 {
		if unsigned {
			return v.Uint()
		}
		return uint64(v.Int())
	}
	switch col.Type {
	case TypeTiny:
		return append(b, byte(integer()))
	case TypeShort, TypeYear:
		return binary.LittleEndian.AppendUint16(b, uint16(integer()))
	case TypeLong, TypeInt24:
		return binary.LittleEndian.AppendUint32(b, uint32(integer()))
	case TypeLongLong:
		return binary.LittleEndian.AppendUint64(b, integer())
	case TypeFloat:
		return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v.Float())))
	case TypeDouble:
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Float()))
	case TypeDate, TypeNewDate, TypeDatetime, TypeTimestamp:
		if k := v.Kind(); k == types.KindDate || k == types.KindDatetime {
			return appendBinaryDatetime(b, v, col.Type == TypeDate || col.Type == TypeNewDate)
		}
	case TypeTime:
		if v.Kind() == types.KindTime {
			return appendBinaryTime(b, v.Duration())
		}
	default:
		return appendLenEncText(b, v)
	}
	// A temporal column holding a value of another kind (text from an
	// expression): parse its text form.
	text := v.AppendText(nil)
	if col.Type == TypeTime {
		if us, ok := parseTimeText(text); ok {
			return appendBinaryTime(b, us)
		}
		return append(b, 0)
	}
	y, mo, d, h, mi, s, us, dateOnly, err := types.ParseDatetime(string(text))
	if err != nil {
		return append(b, 0)
	}
	dt := types.NewDatetime(y, mo, d, h, mi, s, us, 6)
	return appendBinaryDatetime(b, &dt, dateOnly || col.Type == TypeDate)
}

func appendBinaryDatetime(b []byte, v *types.Value, dateOnly bool) []byte {
	y, mo, d, h, mi, s, us := v.DateTime()
	switch {
	case dateOnly || (h == 0 && mi == 0 && s == 0 && us == 0):
		if y == 0 && mo == 0 && d == 0 {
			return append(b, 0)
		}
		b = append(b, 4)
		b = binary.LittleEndian.AppendUint16(b, uint16(y))
		return append(b, byte(mo), byte(d))
	case us == 0:
		b = append(b, 7)
		b = binary.LittleEndian.AppendUint16(b, uint16(y))
		return append(b, byte(mo), byte(d), byte(h), byte(mi), byte(s))
	default:
		b = append(b, 11)
		b = binary.LittleEndian.AppendUint16(b, uint16(y))
		b = append(b, byte(mo), byte(d), byte(h), byte(mi), byte(s))
		return binary.LittleEndian.AppendUint32(b, uint32(us))
	}
}

func appendBinaryTime(b []byte, micros int64) []byte {
	if micros == 0 {
		return append(b, 0)
	}
	var neg byte
	if micros < 0 {
		neg, micros = 1, -micros
	}
	us := micros % 1000000
	secs := micros / 1000000
	days := secs / 86400
	secs %= 86400
	n := byte(8)
	if us != 0 {
		n = 12
	}
	b = append(b, n, neg)
	b = binary.LittleEndian.AppendUint32(b, uint32(days))
	b = append(b, byte(secs/3600), byte(secs/60%60), byte(secs%60))
	if us != 0 {
		b = binary.LittleEndian.AppendUint32(b, uint32(us))
	}
	return b
}

// parseTimeText reads "[-]H+:MM:SS[.ffffff]" into signed microseconds.
func parseTimeText(t []byte) (int64, bool) {
	neg := len(t) > 0 && t[0] == '-'
	if neg {
		t = t[1:]
	}
	var parts [3]int64
	var frac, fracDigits int64
	field := 0
	inFrac := false
	for _, ch := range t {
		switch {
		case ch >= '0' && ch <= '9':
			if inFrac {
				if fracDigits < 6 {
					frac = frac*10 + int64(ch-'0')
					fracDigits++
				}
			} else {
				parts[field] = parts[field]*10 + int64(ch-'0')
			}
		case ch == ':' && !inFrac && field < 2:
			field++
		case ch == '.' && !inFrac && field == 2:
			inFrac = true
		default:
			return 0, false
		}
	}
	for ; fracDigits < 6; fracDigits++ {
		frac *= 10
	}
	us := ((parts[0]*60+parts[1])*60+parts[2])*1000000 + frac
	if neg {
		us = -us
	}
	return us, true
}

// PrepareOK is the first packet of a COM_STMT_PREPARE reply.
type PrepareOK struct {
	StmtID   uint32
	Columns  []Column
	Params   int
	Warnings uint16
}

// WritePrepareOK buffers a whole COM_STMT_PREPARE reply: the OK, one
// definition per parameter and per column, each run ended as caps require.
func (c *Conn) WritePrepareOK(caps uint32, p *PrepareOK, status uint16) {
	start := c.begin()
	b := append(c.wbuf, 0x00)
	b = binary.LittleEndian.AppendUint32(b, p.StmtID)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(p.Columns)))
	b = binary.LittleEndian.AppendUint16(b, uint16(p.Params))
	b = append(b, 0)
	c.wbuf = binary.LittleEndian.AppendUint16(b, p.Warnings)
	c.end(start)
	if p.Params > 0 {
		param := Column{Name: "?", Type: TypeVarString, Charset: CharsetBinary, Flags: FlagBinary}
		for range p.Params {
			c.WriteColumn(&param, false)
		}
		c.writeColumnsEnd(caps, status)
	}
	if len(p.Columns) > 0 {
		for i := range p.Columns {
			c.WriteColumn(&p.Columns[i], false)
		}
		c.writeColumnsEnd(caps, status)
	}
}

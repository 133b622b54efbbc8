package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Command decoding errors; the server answers them with ER_MALFORMED_PACKET
// or ER_WRONG_ARGUMENTS.
var (
	ErrShortPacket     = errors.New("wire: packet too short")
	ErrNoParamTypes    = errors.New("wire: parameters were never bound to types")
	ErrUnknownParamTyp = errors.New("wire: unknown parameter type")
)

// Param is one decoded COM_STMT_EXECUTE parameter; Kind says which fields
// carry its value. Bytes aliases the packet and is valid until the next read.
type Param struct {
	Type     byte
	Unsigned bool
	Null     bool
	Kind     ParamKind
	Int      int64
	Uint     uint64
	Float    float64
	Bytes    []byte

	Year, Month, Day, Hour, Minute, Second, Micro int
	Micros                                        int64
}

// ParamKind says which field of a Param holds its value.
type ParamKind uint8

// The kinds of parameter values.
const (
	ParamNull ParamKind = iota
	ParamInt
	ParamUint
	ParamFloat
	ParamBytes
	ParamDate     // Year, Month, Day
	ParamDatetime // Year … Micro
	ParamTime     // Micros
)

// StmtExecute is a decoded COM_STMT_EXECUTE.
type StmtExecute struct {
	StmtID   uint32
	Flags    byte
	Params   []Param
	Types    []uint16 // the types used (new ones when bound, else the previous ones)
	NewTypes bool
}

// StmtID reads the statement id that COM_STMT_EXECUTE, _CLOSE, _RESET,
// _SEND_LONG_DATA and _FETCH carry right after the command byte.
func StmtID(payload []byte) (uint32, error) {
	if len(payload) < 5 {
		return 0, ErrShortPacket
	}
	return binary.LittleEndian.Uint32(payload[1:]), nil
}

// ParseStmtExecute decodes a COM_STMT_EXECUTE payload (command byte
// included) for a statement with paramCount parameters. prevTypes are the
// types bound by an earlier execution (overwritten in place when the packet
// binds new ones); longData[i] != nil marks parameter i
// as sent with COM_STMT_SEND_LONG_DATA (its value is not in the packet).
// dst is reused for the result's Params.
func ParseStmtExecute(payload []byte, paramCount int, prevTypes []uint16, longData [][]byte, dst []Param) (StmtExecute, error) {
	r := newReader(payload)
	r.byte1()
	var e StmtExecute
	e.StmtID = r.uint32()
	e.Flags = r.byte1()
	r.uint32() // iteration count, always 1
	if !r.ok {
		return e, ErrShortPacket
	}
	if paramCount == 0 {
		return e, nil
	}
	nullMap := r.bytes((paramCount + 7) / 8)
	bound := r.byte1()
	if !r.ok {
		return e, ErrShortPacket
	}
	if bound == 1 {
		raw := r.bytes(2 * paramCount)
		if !r.ok {
			return e, ErrShortPacket
		}
		// The new types replace the previous ones: reuse their storage.
		if cap(prevTypes) >= paramCount {
			e.Types = prevTypes[:paramCount]
		} else {
			e.Types = make([]uint16, paramCount)
		}
		for i := range e.Types {
			e.Types[i] = binary.LittleEndian.Uint16(raw[2*i:])
		}
		e.NewTypes = true
	} else {
		if len(prevTypes) != paramCount {
			return e, ErrNoParamTypes
		}
		e.Types = prevTypes
	}
	params := dst[:0]
	for i := 0; i < paramCount; i++ {
		t := e.Types[i]
		p := Param{Type: byte(t), Unsigned: t&0x8000 != 0}
		switch {
		case nullMap[i/8]&(1<<(i%8)) != 0:
			p.Null = true
		case i < len(longData) && longData[i] != nil:
			p.Kind, p.Bytes = ParamBytes, longData[i]
		default:
			if err := readParam(&r, &p); err != nil {
				return e, fmt.Errorf("parameter %d: %w", i+1, err)
			}
		}
		params = append(params, p)
	}
	e.Params = params
	return e, nil
}

func readParam(r *reader, p *Param) error {
	var v uint64
	var signed int64
	switch p.Type {
	case TypeNull:
		p.Null = true
		return nil
	case TypeTiny:
		b := r.byte1()
		v, signed = uint64(b), int64(int8(b))
	case TypeShort, TypeYear:
		u := r.uint16()
		v, signed = uint64(u), int64(int16(u))
	case TypeLong, TypeInt24:
		u := r.uint32()
		v, signed = uint64(u), int64(int32(u))
	case TypeLongLong:
		v = r.uint64()
		signed = int64(v)
	case TypeFloat:
		p.Kind, p.Float = ParamFloat, float64(math.Float32frombits(r.uint32()))
		return okOrShort(r)
	case TypeDouble:
		p.Kind, p.Float = ParamFloat, math.Float64frombits(r.uint64())
		return okOrShort(r)
	case TypeDate, TypeNewDate:
		p.Kind = ParamDate
		readDatetime(r, p)
		return okOrShort(r)
	case TypeDatetime, TypeTimestamp:
		p.Kind = ParamDatetime
		readDatetime(r, p)
		return okOrShort(r)
	case TypeTime:
		p.Kind = ParamTime
		readTime(r, p)
		return okOrShort(r)
	case TypeDecimal, TypeNewDecimal, TypeVarchar, TypeBit, TypeJSON, TypeEnum, TypeSet,
		TypeTinyBlob, TypeMediumBlob, TypeLongBlob, TypeBlob, TypeVarString, TypeString, TypeGeometry:
		p.Kind, p.Bytes = ParamBytes, r.lenEncBytes()
		if p.Bytes == nil && r.ok {
			p.Bytes = []byte{}
		}
		return okOrShort(r)
	default:
		return fmt.Errorf("%w %#x", ErrUnknownParamTyp, p.Type)
	}
	if p.Unsigned {
		p.Kind, p.Uint = ParamUint, v
	} else {
		p.Kind, p.Int = ParamInt, signed
	}
	return okOrShort(r)
}

func okOrShort(r *reader) error {
	if !r.ok {
		return ErrShortPacket
	}
	return nil
}

// readDatetime decodes the binary DATE/DATETIME/TIMESTAMP form.
func readDatetime(r *reader, p *Param) {
	n := int(r.byte1())
	if n != 0 && n != 4 && n != 7 && n != 11 {
		r.fail()
		return
	}
	f := r.bytes(n)
	if !r.ok {
		return
	}
	if n >= 4 {
		p.Year, p.Month, p.Day = int(binary.LittleEndian.Uint16(f)), int(f[2]), int(f[3])
	}
	if n >= 7 {
		p.Hour, p.Minute, p.Second = int(f[4]), int(f[5]), int(f[6])
	}
	if n == 11 {
		p.Micro = int(binary.LittleEndian.Uint32(f[7:]) % 1000000)
	}
}

// readTime decodes the binary TIME form into signed microseconds.
func readTime(r *reader, p *Param) {
	n := int(r.byte1())
	if n != 0 && n != 8 && n != 12 {
		r.fail()
		return
	}
	f := r.bytes(n)
	if !r.ok || n == 0 {
		return
	}
	days := int64(binary.LittleEndian.Uint32(f[1:]))
	if days > 1<<20 { // far beyond TIME's ±838:59:59; keeps the arithmetic exact
		r.fail()
		return
	}
	secs := ((days*24+int64(f[5]))*60+int64(f[6]))*60 + int64(f[7])
	us := secs * 1000000
	if n == 12 {
		us += int64(binary.LittleEndian.Uint32(f[8:]) % 1000000)
	}
	if f[0] == 1 {
		us = -us
	}
	p.Micros = us
}

// SendLongData is a decoded COM_STMT_SEND_LONG_DATA.
type SendLongData struct {
	StmtID  uint32
	ParamID uint16
	Data    []byte // aliases the packet
}

// ParseSendLongData decodes COM_STMT_SEND_LONG_DATA (command byte included).
func ParseSendLongData(payload []byte) (SendLongData, error) {
	r := newReader(payload)
	r.byte1()
	d := SendLongData{StmtID: r.uint32(), ParamID: r.uint16()}
	d.Data = r.rest()
	if !r.ok {
		return d, ErrShortPacket
	}
	return d, nil
}

// FieldList is a decoded COM_FIELD_LIST.
type FieldList struct {
	Table    string
	Wildcard string
}

// ParseFieldList decodes COM_FIELD_LIST (command byte included).
func ParseFieldList(payload []byte) (FieldList, error) {
	r := newReader(payload)
	r.byte1()
	f := FieldList{Table: string(r.nulString())}
	f.Wildcard = string(r.rest())
	if !r.ok {
		return f, ErrShortPacket
	}
	return f, nil
}

// ChangeUser is a decoded COM_CHANGE_USER.
type ChangeUser struct {
	User         string
	AuthResponse []byte
	Database     string
	Charset      uint16
	AuthPlugin   string
	Attrs        map[string]string
}

// ParseChangeUser decodes COM_CHANGE_USER (command byte included) sent by a
// client that negotiated caps.
func ParseChangeUser(payload []byte, caps uint32) (ChangeUser, error) {
	r := newReader(payload)
	r.byte1()
	var c ChangeUser
	c.User = string(r.nulString())
	if caps&ClientSecureConnection != 0 {
		c.AuthResponse = append([]byte(nil), r.bytes(int(r.byte1()))...)
	} else {
		c.AuthResponse = append([]byte(nil), r.nulString()...)
	}
	if !r.ok {
		return c, ErrShortPacket
	}
	c.Database = string(r.nulString())
	if r.left() >= 2 {
		c.Charset = r.uint16()
	}
	if caps&ClientPluginAuth != 0 && r.left() > 0 {
		c.AuthPlugin = string(r.nulString())
	}
	if caps&ClientConnectAttrs != 0 && r.left() > 0 {
		attrs, err := parseAttrs(&r)
		if err != nil {
			return c, err
		}
		c.Attrs = attrs
	}
	return c, nil
}

// ParseSetOption decodes COM_SET_OPTION: 0 turns multi-statements on, 1 off.
func ParseSetOption(payload []byte) (uint16, error) {
	if len(payload) < 3 {
		return 0, ErrShortPacket
	}
	return binary.LittleEndian.Uint16(payload[1:]), nil
}

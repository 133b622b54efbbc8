package wire

import (
	"encoding/binary"
	"math"
	"reflect"
	"testing"
)

// encodeExecute is the client side of COM_STMT_EXECUTE, as libmysqlclient
// writes it, for the tests' round trips.
func encodeExecute(id uint32, params []Param, bind bool) []byte {
	b := []byte{ComStmtExecute}
	b = binary.LittleEndian.AppendUint32(b, id)
	b = append(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 1)
	if len(params) == 0 {
		return b
	}
	nullMap := make([]byte, (len(params)+7)/8)
	for i, p := range params {
		if p.Null {
			nullMap[i/8] |= 1 << (i % 8)
		}
	}
	b = append(b, nullMap...)
	if bind {
		b = append(b, 1)
		for _, p := range params {
			t := uint16(p.Type)
			if p.Unsigned {
				t |= 0x8000
			}
			b = binary.LittleEndian.AppendUint16(b, t)
		}
	} else {
		b = append(b, 0)
	}
	for _, p := range params {
		if p.Null {
			continue
		}
		b = appendParam(b, &p)
	}
	return b
}

func appendParam(b []byte, p *Param) []byte {
	iv := uint64(p.Int)
	if p.Kind == ParamUint {
		iv = p.Uint
	}
	switch p.Kind {
	case ParamInt, ParamUint:
		switch p.Type {
		case TypeTiny:
			return append(b, byte(iv))
		case TypeShort, TypeYear:
			return binary.LittleEndian.AppendUint16(b, uint16(iv))
		case TypeLong, TypeInt24:
			return binary.LittleEndian.AppendUint32(b, uint32(iv))
		default:
			return binary.LittleEndian.AppendUint64(b, iv)
		}
	case ParamFloat:
		if p.Type == TypeFloat {
			return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(p.Float)))
		}
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(p.Float))
	case ParamDate, ParamDatetime:
		b = append(b, 11)
		b = binary.LittleEndian.AppendUint16(b, uint16(p.Year))
		b = append(b, byte(p.Month), byte(p.Day), byte(p.Hour), byte(p.Minute), byte(p.Second))
		return binary.LittleEndian.AppendUint32(b, uint32(p.Micro))
	case ParamTime:
		us := p.Micros
		var neg byte
		if us < 0 {
			neg, us = 1, -us
		}
		secs := us / 1000000
		b = append(b, 12, neg)
		b = binary.LittleEndian.AppendUint32(b, uint32(secs/86400))
		b = append(b, byte(secs%86400/3600), byte(secs/60%60), byte(secs%60))
		return binary.LittleEndian.AppendUint32(b, uint32(us%1000000))
	}
	return AppendLenEncBytes(b, p.Bytes)
}

func TestParseStmtExecute(t *testing.T) {
	params := []Param{
		{Type: TypeLongLong, Kind: ParamInt, Int: -42},
		{Type: TypeLongLong, Unsigned: true, Kind: ParamUint, Uint: math.MaxUint64},
		{Type: TypeTiny, Kind: ParamInt, Int: -1},
		{Type: TypeShort, Unsigned: true, Kind: ParamUint, Uint: 65535},
		{Type: TypeLong, Kind: ParamInt, Int: math.MinInt32},
		{Type: TypeDouble, Kind: ParamFloat, Float: 3.25},
		{Type: TypeFloat, Kind: ParamFloat, Float: -0.5},
		{Type: TypeVarString, Kind: ParamBytes, Bytes: []byte("héllo")},
		{Type: TypeBlob, Kind: ParamBytes, Bytes: make([]byte, 70000)},
		{Type: TypeString, Null: true},
		{Type: TypeDatetime, Kind: ParamDatetime, Year: 2024, Month: 2, Day: 29, Hour: 23, Minute: 59, Second: 58, Micro: 123456},
		{Type: TypeTime, Kind: ParamTime, Micros: -(50*3600 + 61) * 1000000},
		{Type: TypeNull, Null: true},
	}
	// NULL params carry no value; a NULL of type TypeNull is decoded Null too.
	pkt := encodeExecute(7, params, true)
	e, err := ParseStmtExecute(pkt, len(params), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.StmtID != 7 || !e.NewTypes || len(e.Params) != len(params) {
		t.Fatalf("got %+v", e)
	}
	for i := range params {
		if !reflect.DeepEqual(e.Params[i], params[i]) {
			t.Errorf("param %d: got %+v, want %+v", i, e.Params[i], params[i])
		}
	}
	// A second execution without new types reuses the bound ones.
	e2, err := ParseStmtExecute(encodeExecute(7, params, false), len(params), e.Types, nil, nil)
	if err != nil || e2.NewTypes || !reflect.DeepEqual(e2.Params, e.Params) {
		t.Fatalf("rebinding: %v %+v", err, e2)
	}
	if _, err := ParseStmtExecute(encodeExecute(7, params, false), len(params), nil, nil, nil); err != ErrNoParamTypes {
		t.Fatalf("unbound types: %v", err)
	}
	// Truncations never panic and always fail.
	for n := 0; n < len(pkt)-1; n++ {
		if _, err := ParseStmtExecute(pkt[:n], len(params), nil, nil, nil); err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
	}
}

func TestParseStmtExecuteLongData(t *testing.T) {
	params := []Param{{Type: TypeBlob, Kind: ParamBytes, Bytes: []byte("inline")}, {Type: TypeLongLong, Kind: ParamInt, Int: 5}}
	pkt := encodeExecute(1, params, true)
	// Drop the first value from the packet: it came as long data.
	inline := AppendLenEncBytes(nil, []byte("inline"))
	head := len(pkt) - len(inline) - 8
	pkt = append(pkt[:head:head], pkt[head+len(inline):]...)
	e, err := ParseStmtExecute(pkt, 2, nil, [][]byte{[]byte("long"), nil}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(e.Params[0].Bytes) != "long" || e.Params[1].Int != 5 {
		t.Fatalf("got %+v", e.Params)
	}
}

func TestLenEnc(t *testing.T) {
	for _, v := range []uint64{0, 250, 251, 65535, 65536, 1<<24 - 1, 1 << 24, math.MaxUint64} {
		r := newReader(AppendLenEncInt(nil, v))
		got, null := r.lenEncInt()
		if got != v || null || !r.ok || r.left() != 0 {
			t.Errorf("%d: got %d null=%v ok=%v", v, got, null, r.ok)
		}
	}
}

func FuzzParseStmtExecute(f *testing.F) {
	f.Add(encodeExecute(1, []Param{{Type: TypeLongLong, Kind: ParamInt, Int: 3}, {Type: TypeVarString, Kind: ParamBytes, Bytes: []byte("x")}}, true), uint8(2))
	f.Add(encodeExecute(1, []Param{{Type: TypeDatetime, Kind: ParamDatetime, Year: 2000, Month: 1, Day: 1}}, true), uint8(1))
	f.Add(encodeExecute(9, nil, true), uint8(0))
	f.Fuzz(func(t *testing.T, pkt []byte, n uint8) {
		count := int(n % 40)
		e, err := ParseStmtExecute(pkt, count, nil, nil, nil)
		if err != nil {
			return
		}
		if len(e.Params) != count && count > 0 {
			t.Fatalf("%d params decoded, want %d", len(e.Params), count)
		}
		// What decoded re-encodes to something that decodes the same.
		again, err := ParseStmtExecute(encodeExecute(e.StmtID, e.Params, true), count, nil, nil, nil)
		if err != nil {
			t.Fatalf("re-encoded packet fails: %v", err)
		}
		for i := range e.Params {
			a, b := e.Params[i], again.Params[i]
			a.Bytes, b.Bytes = nil, nil
			if a.Kind == ParamFloat && math.IsNaN(a.Float) {
				continue
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("param %d: %+v then %+v", i, a, b)
			}
			if string(e.Params[i].Bytes) != string(again.Params[i].Bytes) {
				t.Fatalf("param %d bytes differ", i)
			}
			_ = e.Params[i].Value()
		}
	})
}

func FuzzParseHandshakeResponse(f *testing.F) {
	f.Add([]byte("\x8d\xa6\xff\x19\x00\x00\x00\x01\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00root\x00\x00mysql_native_password\x00\x14\x0c_client_name\x06libmys"))
	f.Add([]byte("\x0d\xa2\x3a\x00\x00\x00\x00\x40\x21\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00root\x00\x14" + "01234567890123456789" + "test\x00mysql_native_password\x00"))
	f.Fuzz(func(t *testing.T, pkt []byte) {
		h, err := ParseHandshakeResponse(pkt)
		if err == nil && h == nil {
			t.Fatal("nil response without error")
		}
		_, _ = ParseChangeUser(append([]byte{ComChangeUser}, pkt...), ServerCapabilities)
		_, _ = ParseSendLongData(pkt)
		_, _ = ParseFieldList(pkt)
	})
}

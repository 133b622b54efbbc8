package catalog

import (
	"bytes"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// TestKeyOrder checks that the memcomparable encoding orders as SQL does.
func TestKeyOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	check := func(c *Column, a, b types.Value, want int) {
		t.Helper()
		ka, kb := EncodeKey(nil, c, a), EncodeKey(nil, c, b)
		if got := sign(bytes.Compare(ka, kb)); got != want {
			t.Fatalf("%s: %v vs %v: key order %d, want %d", c.TypeName, a, b, got, want)
		}
	}
	ints := &Column{Type: TypeBigInt, TypeName: "bigint"}
	for i := 0; i < 2000; i++ {
		a, b := rng.Int63()-rng.Int63(), rng.Int63()-rng.Int63()
		if i%3 == 0 {
			b = a
		}
		check(ints, types.NewInt(a), types.NewInt(b), sign(int(cmp(a, b))))
		check(ints, types.Null, types.NewInt(a), -1)
	}
	uns := &Column{Type: TypeInt, Unsigned: true, TypeName: "int unsigned"}
	check(uns, types.NewUint(1<<31), types.NewUint(5), 1)
	dec := &Column{Type: TypeDecimal, Precision: 20, Scale: 4, TypeName: "decimal"}
	for i := 0; i < 2000; i++ {
		a := strconv.FormatFloat((rng.Float64()-0.5)*float64(rng.Intn(100000)), 'f', rng.Intn(5), 64)
		b := strconv.FormatFloat((rng.Float64()-0.5)*float64(rng.Intn(100000)), 'f', rng.Intn(5), 64)
		da, _ := types.ParseDecimal(a)
		db, _ := types.ParseDecimal(b)
		check(dec, types.NewDecimal(da), types.NewDecimal(db), da.Cmp(db))
	}
	d1, _ := types.ParseDecimal("1.50")
	d2, _ := types.ParseDecimal("1.5")
	check(dec, types.NewDecimal(d1), types.NewDecimal(d2), 0)
	dbl := &Column{Type: TypeDouble, TypeName: "double"}
	for i := 0; i < 2000; i++ {
		a, b := rng.NormFloat64()*1e6, rng.NormFloat64()
		want := 0
		if a < b {
			want = -1
		} else if a > b {
			want = 1
		}
		check(dbl, types.NewFloat(a), types.NewFloat(b), want)
	}
	str := &Column{Type: TypeVarchar, Length: 20, TypeName: "varchar(20)"}
	words := []string{"", "a", "A", "ab", "aB", "b", "a\x00", "a\x00b", "Zebra", "apple", "é", "É"}
	for _, a := range words {
		for _, b := range words {
			want := sign(strings.Compare(strings.ToLower(a), strings.ToLower(b)))
			check(str, types.NewString(a), types.NewString(b), want)
		}
	}
	en := &Column{Type: TypeEnum, Enum: []string{"GRANT", "USE", "REFUND"}, TypeName: "enum"}
	check(en, types.NewString("REFUND"), types.NewString("use"), 1)
	dt := &Column{Type: TypeDatetime, TypeName: "datetime"}
	check(dt, types.NewDatetime(2024, 1, 2, 3, 4, 5, 0, 0), types.NewDatetime(2024, 1, 2, 3, 4, 6, 0, 0), -1)
	// composite: a prefix sorts before its extensions, and columns compare left to right
	k1 := EncodeKey(EncodeKey(nil, str, types.NewString("a")), ints, types.NewInt(9))
	k2 := EncodeKey(EncodeKey(nil, str, types.NewString("ab")), ints, types.NewInt(1))
	if bytes.Compare(k1, k2) >= 0 {
		t.Fatal("composite key order")
	}
}

func cmp(a, b int64) int64 {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestRowRoundTrip(t *testing.T) {
	d, _ := types.ParseDecimal("-12.340")
	row := []types.Value{types.Null, types.NewInt(-5), types.NewUint(1 << 63), types.NewFloat(1.25), types.NewFloat32(0.1),
		types.NewDecimal(d), types.NewString("héllo"), types.NewDate(2024, 2, 29), types.NewDatetime(2024, 2, 29, 23, 59, 59, 123000, 3)}
	rec := EncodeRow(nil, row)
	got, err := DecodeRow(nil, rec, len(row)+1)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range row {
		if got[i].String() != v.String() || got[i].Kind() != v.Kind() {
			t.Errorf("column %d: %v (%d) != %v (%d)", i, got[i], got[i].Kind(), v, v.Kind())
		}
	}
	if !got[len(row)].IsNull() {
		t.Error("a column added later must read as NULL")
	}
	if _, err := DecodeRow(nil, rec[:len(rec)-3], len(row)); err == nil {
		t.Error("truncated record decoded")
	}
}

func FuzzDecodeRow(f *testing.F) {
	f.Add(EncodeRow(nil, []types.Value{types.NewInt(1), types.NewString("x"), types.Null}))
	f.Fuzz(func(t *testing.T, rec []byte) {
		row, err := DecodeRow(nil, rec, 4)
		if err != nil {
			return
		}
		again, err := DecodeRow(nil, EncodeRow(nil, row), 4)
		if err != nil {
			t.Fatal(err)
		}
		for i := range row {
			if row[i].String() != again[i].String() {
				t.Fatalf("column %d: %v != %v", i, row[i], again[i])
			}
		}
	})
}

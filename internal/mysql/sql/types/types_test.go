package types

import (
	"math"
	"testing"
)

func TestAppendText(t *testing.T) {
	d, _ := ParseDecimal("-0.5")
	cases := []struct {
		v    Value
		want string
	}{
		{NewInt(-42), "-42"},
		{NewUint(math.MaxUint64), "18446744073709551615"},
		{NewFloat(0.1), "0.1"},
		{NewFloat(1e20), "1e20"},
		{NewFloat(1.5e-7), "1.5e-7"},
		{NewFloat(100), "100"},
		{NewFloat32(0.1), "0.1"},
		{NewDecimal(d), "-0.5"},
		{NewDate(2024, 2, 9), "2024-02-09"},
		{NewDatetime(2024, 2, 9, 3, 4, 5, 120000, 3), "2024-02-09 03:04:05.120"},
		{NewDatetime(2024, 2, 9, 3, 4, 5, 0, 0), "2024-02-09 03:04:05"},
		{NewDuration(-(3600+61)*1e6, 0), "-01:01:01"},
		{NewString("x"), "x"},
	}
	for _, c := range cases {
		if got := string(c.v.AppendText(nil)); got != c.want {
			t.Errorf("AppendText = %q, want %q", got, c.want)
		}
	}
	if !Null.IsNull() || string(Null.AppendText(nil)) != "" {
		t.Error("NULL")
	}
}

func TestDecimal(t *testing.T) {
	p := func(s string) Decimal {
		d, err := ParseDecimal(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return d
	}
	if got := p("1.10").Add(p("2.005")).String(); got != "3.105" {
		t.Errorf("add %s", got)
	}
	if got := p("1.5").Mul(p("-2.25")).String(); got != "-3.375" {
		t.Errorf("mul %s", got)
	}
	if q, _ := p("10").Div(p("3"), 4); q.String() != "3.3333" {
		t.Errorf("div %s", q.String())
	}
	if q, _ := p("2").Div(p("3"), 4); q.String() != "0.6667" {
		t.Errorf("div round %s", q.String())
	}
	if _, ok := p("1").Div(p("0"), 4); ok {
		t.Error("division by zero")
	}
	if got := p("-1.005").Round(2).String(); got != "-1.01" {
		t.Errorf("round half away from zero: %s", got)
	}
	if got := p("1.5e2").String(); got != "150" {
		t.Errorf("exponent: %s", got)
	}
	if p("999.99").IntDigits() != 3 || p("0.5").IntDigits() != 0 {
		t.Error("IntDigits")
	}
	if _, err := ParseDecimal("1.2.3"); err == nil {
		t.Error("accepted 1.2.3")
	}
}

func TestParseDatetime(t *testing.T) {
	y, mo, d, h, mi, s, us, dateOnly, err := ParseDatetime("2024-02-29 23:59:58.5")
	if err != nil || y != 2024 || mo != 2 || d != 29 || h != 23 || mi != 59 || s != 58 || us != 500000 || dateOnly {
		t.Fatalf("%d %d %d %d %d %d %d %v %v", y, mo, d, h, mi, s, us, dateOnly, err)
	}
	if _, _, _, _, _, _, _, dateOnly, err := ParseDatetime("20240101"); err != nil || !dateOnly {
		t.Fatal("compact date")
	}
	for _, bad := range []string{"2023-02-29", "2024-13-01", "2024-01-01 24:00:00", "x", "2024-01-01x"} {
		if _, _, _, _, _, _, _, _, err := ParseDatetime(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	v := NewDatetime(2024, 5, 6, 7, 8, 9, 10, 6)
	y, mo, d, h, mi, s, us = v.DateTime()
	if y != 2024 || mo != 5 || d != 6 || h != 7 || mi != 8 || s != 9 || us != 10 {
		t.Fatal("DateTime fields")
	}
	if NewDate(2024, 1, 1).Packed() >= NewDate(2024, 1, 2).Packed() {
		t.Fatal("packed order")
	}
}

func TestNumericStrings(t *testing.T) {
	if f, ok := ParseNumber([]byte(" 12.5e1 ")); !ok || f != 125 {
		t.Errorf("%v %v", f, ok)
	}
	if f, ok := ParseNumber([]byte("12abc")); ok || f != 12 {
		t.Errorf("prefix: %v %v", f, ok)
	}
	if NewString("7").Int() != 7 || NewFloat(2.5).Int() != 3 {
		t.Error("conversions")
	}
}

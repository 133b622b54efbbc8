package command

import "testing"

func TestHumanLongDouble(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{13.361389338970184, "13.36138933897018433"},
		{1, "1"},
		{-0.5, "-0.5"},
		{0, "0"},
		{180, "180"},
		{85.05112878, "85.0511287799999991"}, // as redis-server 7.0 printed it (testdata/geo)
		{-179.99999731779099, "-179.99999731779098511"},
	} {
		if got := string(appendHumanLongDouble(nil, tc.f)); got != tc.want {
			t.Errorf("%v: %q want %q", tc.f, got, tc.want)
		}
	}
}

func TestCFloat(t *testing.T) {
	if got := cFloat(200); got != "200.000000" {
		t.Errorf("%q", got)
	}
}

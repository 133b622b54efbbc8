package geo

import "math"

// sin, cos and asin rounded as glibc's libm rounds them (to nearest in
// nearly every case): Redis' distances come from glibc, and Go's math
// package is off by one unit in the last place for a quarter of inputs,
// which shows in GEOSEARCHSTORE ... STOREDIST scores. Each is evaluated in
// double-double arithmetic and rounded once.

// dd is an unevaluated sum hi+lo with |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func ddAdd(a, b dd) dd {
	s := twoSum(a.hi, b.hi)
	s.lo += a.lo + b.lo
	return twoSum(s.hi, s.lo)
}

func ddMul(a, b dd) dd {
	p := a.hi * b.hi
	e := math.FMA(a.hi, b.hi, -p)
	e += a.hi*b.lo + a.lo*b.hi
	return twoSum(p, e)
}

func ddMulF(a dd, b float64) dd { return ddMul(a, dd{b, 0}) }

// invFact[k] is 1/k! in double-double.
var invFact = func() [48]dd {
	var t [48]dd
	t[0] = dd{1, 0}
	for k := 1; k < len(t); k++ {
		// 1/k! = (1/(k-1)!) / k, division by a small integer in dd.
		q := t[k-1].hi / float64(k)
		r := ddAdd(t[k-1], ddMulF(dd{q, 0}, -float64(k)))
		t[k] = twoSum(q, r.hi/float64(k))
	}
	return t
}()

// sinCosDD returns sin(x) and cos(x) for |x| <= 3.2 in double-double by
// their Taylor series.
func sinCosDD(x dd) (s, c dd) {
	x2 := ddMul(x, x)
	// Horner from the highest terms: sin = x(1 - x²/3! + ...), cos = 1 - x²/2! + ...
	s = dd{0, 0}
	c = dd{0, 0}
	for k := 22; k >= 0; k-- {
		sign := 1.0
		if k%2 == 1 {
			sign = -1
		}
		fs := invFact[2*k+1]
		fc := invFact[2*k]
		s = ddAdd(ddMul(s, x2), dd{sign * fs.hi, sign * fs.lo})
		c = ddAdd(ddMul(c, x2), dd{sign * fc.hi, sign * fc.lo})
	}
	return ddMul(s, x), c
}

func libmSin(x float64) float64 {
	if math.Abs(x) > 3.2 || x == 0 {
		return math.Sin(x)
	}
	s, _ := sinCosDD(dd{x, 0})
	return s.hi + s.lo
}

func libmCos(x float64) float64 {
	if math.Abs(x) > 3.2 {
		return math.Cos(x)
	}
	_, c := sinCosDD(dd{x, 0})
	return c.hi + c.lo
}

func libmAsin(y float64) float64 {
	if !(math.Abs(y) < 1) || y == 0 {
		return math.Asin(y)
	}
	// One Newton step from Go's estimate, in double-double: t + (y - sin t)/cos t.
	t := math.Asin(y)
	s, c := sinCosDD(dd{t, 0})
	r := ddAdd(dd{y, 0}, dd{-s.hi, -s.lo})
	d := (r.hi + r.lo) / (c.hi + c.lo)
	return t + d
}

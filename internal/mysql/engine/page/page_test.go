package page

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestInitAndChecksum(t *testing.T) {
	for _, size := range []int{Size16K, Size32K, Size64K} {
		p := make([]byte, size)
		if !Verify(p) {
			t.Fatal("an all-zero page must verify (allocated, never written)")
		}
		Init(p, 7, 42, TypeLeaf, 0)
		SetLSN(p, 99)
		SetChecksum(p)
		if !Verify(p) || PageNo(p) != 42 || Space(p) != 7 || LSN(p) != 99 || PageType(p) != TypeLeaf {
			t.Fatalf("size %d: header round trip failed", size)
		}
		p[size-1] ^= 1
		if Verify(p) {
			t.Fatalf("size %d: a flipped bit passed the checksum", size)
		}
	}
}

// TestSlottedAgainstModel inserts, deletes and replaces records at random
// slots and compares the page with a slice after every step; compaction and
// page-full are exercised by the small page and large records.
func TestSlottedAgainstModel(t *testing.T) {
	for _, size := range []int{Size16K, Size64K} {
		rng := rand.New(rand.NewPCG(uint64(size), 1))
		p := make([]byte, size)
		Init(p, 1, 1, TypeLeaf, 0)
		var model [][]byte
		for step := 0; step < 20000; step++ {
			rec := bytes.Repeat([]byte{byte(step)}, rng.IntN(600))
			switch op := rng.IntN(3); {
			case op == 0 || len(model) == 0:
				i := rng.IntN(len(model) + 1)
				err := Insert(p, i, rec)
				if Fits(p, len(rec)) != (err == nil) && err != nil {
					t.Fatalf("insert: %v though Fits", err)
				}
				if err == ErrFull {
					continue
				} else if err != nil {
					t.Fatal(err)
				}
				model = append(model[:i], append([][]byte{rec}, model[i:]...)...)
			case op == 1:
				i := rng.IntN(len(model))
				if err := Delete(p, i); err != nil {
					t.Fatal(err)
				}
				model = append(model[:i], model[i+1:]...)
			default:
				i := rng.IntN(len(model))
				if err := Replace(p, i, rec); err == ErrFull {
					continue
				} else if err != nil {
					t.Fatal(err)
				}
				model[i] = rec
			}
			if err := Check(p); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			if NumSlots(p) != len(model) {
				t.Fatalf("step %d: %d slots, model %d", step, NumSlots(p), len(model))
			}
			for i, r := range model {
				if !bytes.Equal(Record(p, i), r) {
					t.Fatalf("step %d: slot %d differs", step, i)
				}
			}
		}
	}
}

// TestApplyMatchesDirect checks that replaying encoded operations on a copy
// gives the same bytes as doing them directly (what redo relies on).
func TestApplyMatchesDirect(t *testing.T) {
	a := make([]byte, Size16K)
	b := make([]byte, Size16K)
	var body [10]byte
	if err := Apply(a, OpInit, AppendInit(body[:0], TypeLeaf, 0, 3, 9)); err != nil {
		t.Fatal(err)
	}
	Init(b, 3, 9, TypeLeaf, 0)
	rng := rand.New(rand.NewPCG(5, 5))
	for step := 0; step < 3000; step++ {
		n := NumSlots(b)
		rec := []byte(fmt.Sprintf("record-%d-%s", step, bytes.Repeat([]byte("x"), rng.IntN(200))))
		var kind OpKind
		var bd []byte
		switch {
		case n == 0 || rng.IntN(3) == 0:
			kind, bd = OpInsert, AppendSlot(nil, rng.IntN(n+1), rec)
		case rng.IntN(2) == 0:
			kind, bd = OpDelete, AppendSlot(nil, rng.IntN(n), nil)
		default:
			kind, bd = OpReplace, AppendSlot(nil, rng.IntN(n), rec)
		}
		errA := Apply(a, kind, bd)
		if step%100 == 0 {
			// An image of b applied to a must reproduce b exactly.
			if err := Apply(a, OpImage, AppendImage(nil, b)); err != nil {
				t.Fatal(err)
			}
		}
		errB := Apply(b, kind, bd)
		if step%100 == 0 {
			errA = errB
			copy(a, b)
		}
		if (errA == nil) != (errB == nil) {
			t.Fatalf("step %d: %v vs %v", step, errA, errB)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("step %d: pages differ after %v", step, kind)
		}
	}
}

func FuzzApply(f *testing.F) {
	p := make([]byte, Size16K)
	Init(p, 1, 1, TypeLeaf, 0)
	Insert(p, 0, []byte("hello"))
	f.Add(byte(OpInsert), AppendSlot(nil, 0, []byte("rec")))
	f.Add(byte(OpDelete), AppendSlot(nil, 0, nil))
	f.Add(byte(OpReplace), AppendSlot(nil, 0, []byte("other")))
	f.Add(byte(OpWrite), AppendWrite(nil, 100, []byte("data")))
	f.Add(byte(OpImage), AppendImage(nil, p))
	f.Add(byte(OpInit), AppendInit(nil, TypeInternal, 1, 2, 3))
	f.Fuzz(func(t *testing.T, kind byte, body []byte) {
		q := append([]byte(nil), p...)
		if err := Apply(q, OpKind(kind), body); err != nil {
			return
		}
		// A page that accepted an operation is still structurally sound
		// when the operation keeps it slotted.
		if OpKind(kind) == OpInsert || OpKind(kind) == OpDelete || OpKind(kind) == OpReplace {
			if err := Check(q); err != nil {
				t.Fatalf("%v left a broken page: %v", OpKind(kind), err)
			}
		}
		_ = NumSlots(q)
	})
}

func FuzzVerifyAndCheck(f *testing.F) {
	p := make([]byte, Size16K)
	Init(p, 1, 1, TypeLeaf, 0)
	Insert(p, 0, []byte("hello"))
	SetChecksum(p)
	f.Add(p[:512])
	f.Fuzz(func(t *testing.T, data []byte) {
		q := make([]byte, Size16K)
		copy(q, data)
		Verify(q)
		if Check(q) == nil {
			for i := 0; i < NumSlots(q); i++ {
				_ = Record(q, i)
			}
		}
	})
}

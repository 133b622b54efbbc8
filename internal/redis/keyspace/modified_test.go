package keyspace

import "testing"

// TestModifiedSkipsOnlyStrings: Modified returns early for the key just set
// to a string, but every way that key can come to hold an Object again
// (overwrite, rename onto it, swap, flush and re-set) is re-accounted.
func TestModifiedSkipsOnlyStrings(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	db := ks.DB(0)
	k := []byte("k")
	check := func(step string, o *testObj) {
		t.Helper()
		before := ks.UsedMemory()
		o.size += 1000
		db.Modified(k)
		if got := ks.UsedMemory() - before; got != 1000 {
			t.Fatalf("%s: UsedMemory grew by %d after a 1000-byte change", step, got)
		}
		if err := db.check(); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	db.SetString(k, []byte("v"), 0, false)
	db.Modified(k) // the skipped case
	o1 := &testObj{typ: TypeList, size: 10}
	db.SetObject(k, o1)
	check("object over string", o1)

	o2 := &testObj{typ: TypeSet, size: 10}
	db.SetObject([]byte("src"), o2)
	db.SetString(k, []byte("v"), 0, false)
	if !db.Rename([]byte("src"), k) {
		t.Fatal("rename")
	}
	check("rename onto string", o2)

	db.SetString(k, []byte("v"), 0, false)
	o3 := &testObj{typ: TypeHash, size: 10}
	ks.DB(1).SetObject(k, o3)
	ks.Swap(0, 1)
	check("swap", o3)

	db.SetString(k, []byte("v"), 0, false)
	db.Flush()
	o4 := &testObj{typ: TypeZSet, size: 10}
	db.SetObject(k, o4)
	check("flush", o4)
}

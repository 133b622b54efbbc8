package command

import (
	"strings"
	"testing"
)

func TestDumpTranscript(t *testing.T) { runCollTranscript(t, "testdata/dump") }

func TestDumpErrorsTranscript(t *testing.T) { runCollTranscript(t, "testdata/dump_errors") }

// TestRestoreEffects checks what RESTORE propagates (a relative TTL becomes absolute, with
// ABSTTL appended; an already expired REPLACE becomes DEL), its keyspace events and dirty
// counts. The payload is redis-server 7.0.15's DUMP of "hello".
func TestRestoreEffects(t *testing.T) {
	const payload = "\x00\x05hello\n\x00cr\xdfve4 \n"
	const quoted = `"\x00\x05hello\n\x00cr\xdfve4 \n"`
	e := newEffectsEnv()
	for _, tc := range []struct{ line, want string }{
		{"RESTORE k 0 " + quoted, "+OK\ndirty=1\npropagate: RESTORE k 0 " + payload + "\nmodified db=0 k\nevent db=0 g restore k\n"},
		{"RESTORE k 5000 " + quoted + " REPLACE", "+OK\ndirty=1\npropagate: RESTORE k 1700000005000 " + payload + " REPLACE ABSTTL\nmodified db=0 k\nevent db=0 g restore k\n"},
		{"RESTORE k 1 " + quoted + " REPLACE ABSTTL", "+OK\ndirty=1\npropagate: DEL k\nmodified db=0 k\nevent db=0 g del k\n"},
		{"RESTORE k 1 " + quoted + " ABSTTL", "+OK\n"},
		{"RESTORE k 9000000000000 " + quoted + " ABSTTL", "+OK\ndirty=1\npropagate: RESTORE k 9000000000000 " + payload + " ABSTTL\nmodified db=0 k\nevent db=0 g restore k\n"},
		{"DUMP k", "$17 " + payload + "\n"},
		{"DUMP nokey", "$-1\n"},
	} {
		if got := e.run(t, tc.line); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.line, got, tc.want)
		}
	}
}

// TestRestoreStream: a stream payload is refused with a clear error until tandem has streams.
func TestRestoreStream(t *testing.T) {
	h := newCollHarness(t)
	// Type 15 (stream listpacks) with a valid footer, from rdb's format description.
	got := h.do([]string{"restore", "s", "0", "\x0f\x00\n\x00nR\x1f\r\x81\xd6\x80\xcb"})
	if !strings.Contains(got, "streams and module values are not supported") {
		t.Fatalf("got %s", got)
	}
}

// TestRestoreAccess: IDLETIME sets the LRU clock (OBJECT IDLETIME), FREQ the LFU counter
// under an LFU policy, as Redis' objectSetLRUOrLFU does.
func TestRestoreAccess(t *testing.T) {
	const payload = "\x00\x05hello\n\x00cr\xdfve4 \n"
	h := newCollHarness(t)
	if got := h.do([]string{"restore", "idle", "0", payload, "idletime", "1000"}); got != "OK" {
		t.Fatalf("restore idletime: %s", got)
	}
	if ms, ok := h.ks.DB(0).IdleTime([]byte("idle")); !ok || ms < 999_000 || ms > 1_001_000 {
		t.Errorf("idle time after IDLETIME 1000: %d ms, %v", ms, ok)
	}
	if err := h.ks.SetMaxmemoryPolicy("allkeys-lfu"); err != nil {
		t.Fatal(err)
	}
	if got := h.do([]string{"restore", "hot", "0", payload, "freq", "100"}); got != "OK" {
		t.Fatalf("restore freq: %s", got)
	}
	if f, ok := h.ks.DB(0).Freq([]byte("hot")); !ok || f != 100 {
		t.Errorf("freq after FREQ 100: %d, %v", f, ok)
	}
}

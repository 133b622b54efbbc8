package command

import (
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/redis/resp"
)

func benchCommand(b *testing.B, line string) {
	e := newEffectsEnv()
	args, _ := resp.SplitArgs([]byte(line), nil)
	spec := e.table.Lookup(args[0])
	c := e.ctx
	c.Hooks = nopHooks{}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.W.Reset()
		c.Reset(args, spec)
		spec.Handler(c)
	}
}

func BenchmarkSetSameKey(b *testing.B) { benchCommand(b, "SET key:__rand_int__ xxx") }
func BenchmarkIncr(b *testing.B)       { benchCommand(b, "INCR counter") }
func BenchmarkGet(b *testing.B)        { benchCommand(b, "GET nokey") }

type nopHooks struct{}

func (nopHooks) KeyModified(int, []byte)                                 {}
func (nopHooks) Notify(int, byte, string, []byte)                        {}
func (nopHooks) Block(*Ctx, [][]byte, time.Duration, func(*resp.Writer)) {}

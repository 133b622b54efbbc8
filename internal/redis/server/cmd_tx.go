package server

import (
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
)

func (s *Server) registerTx() {
	tx := []string{"fast", "transaction"}
	s.table.Add(
		&command.Spec{Name: "multi", Arity: 1, Flags: command.NoScript | command.Loading | command.Stale | command.Fast | command.AllowBusy,
			Group: "transactions", Since: "1.2.0", Summary: "Starts a transaction.", Complexity: "O(1)", ACL: tx,
			Handler: s.cmdMulti},
		&command.Spec{Name: "exec", Arity: 1, Flags: command.NoScript | command.Loading | command.Stale | command.SkipSlowlog,
			Group: "transactions", Since: "1.2.0", Summary: "Executes all commands in a transaction.", Complexity: "Depends on commands in the transaction", ACL: []string{"slow", "transaction"},
			Handler: s.cmdExec},
		&command.Spec{Name: "discard", Arity: 1, Flags: command.NoScript | command.Loading | command.Stale | command.Fast | command.AllowBusy,
			Group: "transactions", Since: "2.0.0", Summary: "Discards a transaction.", Complexity: "O(N), when N is the number of queued commands", ACL: tx,
			Handler: s.cmdDiscard},
		&command.Spec{Name: "watch", Arity: -2, Flags: command.NoScript | command.Loading | command.Stale | command.Fast | command.AllowBusy,
			FirstKey: 1, LastKey: -1, Step: 1,
			Group: "transactions", Since: "2.2.0", Summary: "Monitors changes to keys to determine the execution of a transaction.", Complexity: "O(1) for every key.", ACL: tx,
			Handler: s.cmdWatch},
		&command.Spec{Name: "unwatch", Arity: 1, Flags: command.NoScript | command.Loading | command.Stale | command.Fast | command.AllowBusy,
			Group: "transactions", Since: "2.2.0", Summary: "Forgets about watched keys of a transaction.", Complexity: "O(1)", ACL: tx,
			Handler: func(c *command.Ctx) { s.watch.unwatchAll(cl(c)); c.W.OK() }},
	)
}

func (s *Server) cmdMulti(c *command.Ctx) {
	cli := cl(c)
	if cli.multi != nil {
		c.Error(errMultiNested)
		return
	}
	cli.multi = &multiState{}
	c.W.OK()
}

func (s *Server) cmdDiscard(c *command.Ctx) {
	cli := cl(c)
	if cli.multi == nil {
		c.Error(errDiscardNoMul)
		return
	}
	cli.multi = nil
	s.watch.unwatchAll(cli)
	c.W.OK()
}

func (s *Server) cmdWatch(c *command.Ctx) {
	cli := cl(c)
	if cli.multi != nil {
		c.Error(errWatchInMulti)
		return
	}
	for _, k := range c.Args[1:] {
		// Expire a logically expired key now, so only later changes count.
		c.DB.Peek(k)
		s.watch.add(cli, cli.db, k)
	}
	c.W.OK()
}

func (s *Server) cmdExec(c *command.Ctx) {
	cli := cl(c)
	m := cli.multi
	if m == nil {
		c.Error(errExecNoMulti)
		return
	}
	cli.multi = nil
	if m.execAbort {
		s.watch.unwatchAll(cli)
		c.Error(errExecAbort)
		c.Propagate()
		return
	}
	// A watched key that expired since WATCH counts as modified.
	for _, wk := range cli.watched {
		s.ks.DB(wk.db).Peek([]byte(wk.key))
	}
	if cli.dirtyCAS {
		s.watch.unwatchAll(cli)
		c.W.NullArray()
		c.Propagate()
		return
	}
	s.watch.unwatchAll(cli)
	now := time.UnixMilli(c.Now)
	execArgs := c.Args
	execSpec := c.Spec
	// The transaction propagates as MULTI … EXEC around the effects of its
	// commands, when any command propagates something.
	propagated := false
	c.W.Array(len(m.queue))
	for _, q := range m.queue {
		before := s.prop.offset
		if !propagated && q.spec.Flags&(command.Write|command.MayReplicate) != 0 {
			s.prop.append(cli.db, [][]byte{[]byte("MULTI")})
			propagated = true
			before = s.prop.offset
		}
		s.call(cli, q.spec, q.args, now, true)
		_ = before
	}
	if propagated {
		s.prop.append(cli.db, [][]byte{[]byte("EXEC")})
	}
	// call() reused the context; restore EXEC's own view for bookkeeping.
	c.Reset(execArgs, execSpec)
	c.DB = s.ks.DB(cli.db)
	c.Propagate()
}

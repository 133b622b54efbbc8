package sql

import (
	"context"
	"sync"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// Executor runs statements against one engine. It is safe for concurrent use
// by many sessions.
type Executor struct {
	eng  engine.Engine
	opts Options

	mu struct {
		sync.RWMutex
	}
}

type preparedStmt struct{}

// NewExecutor loads the catalog from eng.Tables().
func NewExecutor(eng engine.Engine, opts Options) (*Executor, error) {
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	return &Executor{eng: eng, opts: opts}, nil
}

func (x *Executor) query(ctx context.Context, s *Session, query string) (*Result, error) {
	return nil, errcode.NotSupported.New(query)
}

func (x *Executor) prepare(ctx context.Context, s *Session, query string) (*Prepared, error) {
	return nil, errcode.NotSupported.New(query)
}

func (x *Executor) execute(ctx context.Context, s *Session, p *Prepared, args []types.Value) (*Result, error) {
	return nil, errcode.NotSupported.New(p.query)
}

// SplitStatements splits a multi-statement query at top-level semicolons.
func SplitStatements(query string) ([]string, error) {
	return nil, errcode.NotSupported.New("multi-statements")
}

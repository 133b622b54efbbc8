package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"

	sqlserver "github.com/tandem-db/tandem/internal/mysql/server"
)

// startSQL opens the storage engine and starts the SQL server when
// --mysql-port is not 0. It listens on the same addresses as the KV server.
func startSQL(cfg *config, log *slog.Logger, errc chan<- error) (interface {
	Shutdown(ctx context.Context) error
}, error) {
	if cfg.sql.Port == 0 {
		return nil, nil
	}
	srv, err := sqlserver.Open(sqlserver.OpenOptions{
		Config:         sqlserver.Config{Logger: log},
		Dir:            cfg.kv.Dir,
		PageSize:       cfg.sql.PageSize,
		BufferPoolSize: cfg.sql.BufferPoolSize,

		FlushLogAtTrxCommit: cfg.sql.FlushLogAtTrxCommit,
	})
	if err != nil {
		return nil, fmt.Errorf("tandem: SQL storage engine: %w", err)
	}
	for _, addr := range cfg.kv.Bind {
		l, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(cfg.sql.Port)))
		if err != nil {
			srv.Close()
			return nil, fmt.Errorf("tandem: SQL listen: %w", err)
		}
		log.Info("SQL server ready for connections", "addr", l.Addr().String())
		go func() {
			if err := srv.Serve(l); err != nil && err != sqlserver.ErrServerClosed {
				errc <- err
			}
		}()
	}
	return srv, nil
}

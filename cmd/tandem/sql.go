package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
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
	if path := cfg.sql.Socket; path != "" {
		// A socket file left by a crash answers nobody: remove it.
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			srv.Close()
			return nil, fmt.Errorf("tandem: SQL socket %s is in use", path)
		}
		_ = os.Remove(path)
		l, err := net.Listen("unix", path)
		if err != nil {
			srv.Close()
			return nil, fmt.Errorf("tandem: SQL socket: %w", err)
		}
		_ = os.Chmod(path, 0o777)
		log.Info("SQL server ready for connections", "socket", path)
		go func() {
			if err := srv.Serve(l); err != nil && err != sqlserver.ErrServerClosed {
				errc <- err
			}
		}()
	}
	return srv, nil
}

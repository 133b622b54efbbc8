package main

import (
	"context"
	"log/slog"
)

// startSQL starts the SQL server when --mysql-port is not 0.
func startSQL(cfg *config, log *slog.Logger, errc chan<- error) (interface {
	Shutdown(ctx context.Context) error
}, error) {
	if cfg.sql.Port == 0 {
		return nil, nil
	}
	log.Warn("SQL server not wired in yet; --mysql-port ignored")
	return nil, nil
}

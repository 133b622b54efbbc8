// Command tandem runs the Redis-compatible KV server and the MySQL-compatible
// SQL server in one process.
//
//	tandem [server] [config-file] [--directive value ...]
//	tandem sentinel sentinel.conf
//	tandem inspect <what> <path>
//
// With no arguments both servers start on 127.0.0.1 (KV on 6379, SQL on
// 3306) with data under ./data.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	kvserver "github.com/tandem-db/tandem/internal/redis/server"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(args []string) error {
	mode := "server"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "server", "sentinel", "inspect":
			mode = args[0]
			args = args[1:]
		}
	}
	switch mode {
	case "inspect":
		return runInspect(args)
	case "sentinel":
		return errors.New("tandem: sentinel mode is not supported yet (see docs/COMPATIBILITY.md)")
	}
	cfg, err := loadConfig(args)
	if err != nil {
		return err
	}
	return serve(cfg)
}

func serve(all *config) error {
	cfg := all.kv
	defer startProfile()()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return fmt.Errorf("tandem: data directory %s: %w", cfg.Dir, err)
	}
	type stopper interface {
		Shutdown(ctx context.Context) error
	}
	var running []stopper
	errc := make(chan error, 4)
	var kvShutdown <-chan struct{}

	if cfg.Port != 0 {
		kv := kvserver.New(cfg, log)
		for _, addr := range cfg.Bind {
			l, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(cfg.Port)))
			if err != nil {
				return fmt.Errorf("tandem: KV listen: %w", err)
			}
			log.Info("KV server ready to accept connections", "addr", l.Addr().String())
			go func() { errc <- kv.Serve(l) }()
		}
		running = append(running, kv)
		kvShutdown = kv.ShutdownRequested
	}
	sqlStop, err := startSQL(all, log, errc)
	if err != nil {
		return err
	}
	if sqlStop != nil {
		running = append(running, sqlStop)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	var runErr error
	select {
	case s := <-sig:
		log.Info("received signal, shutting down", "signal", s.String())
	case <-kvShutdown:
	case err := <-errc:
		if !errors.Is(err, kvserver.ErrServerClosed) {
			runErr = err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range running {
		if err := s.Shutdown(ctx); err != nil && runErr == nil {
			runErr = err
		}
	}
	log.Info("tandem is now ready to exit, bye bye...")
	return runErr
}

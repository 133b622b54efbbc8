// Command mysqlserverd is a test-only SQL server for the kill -9 test: the
// storage engine and the MySQL server of tandem and nothing else, with
// cmd/tandem's flag names. The test prefers cmd/tandem and uses this only
// while cmd/tandem does not serve SQL.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tandem-db/tandem/internal/mysql/server"
)

func main() {
	port := flag.Int("mysql-port", 3306, "SQL port on 127.0.0.1")
	dir := flag.String("dir", "./data", "data root")
	pool := flag.Int64("innodb-buffer-pool-size", 128<<20, "buffer pool bytes")
	pageSize := flag.Int("innodb-page-size", 16384, "page size in bytes")
	flag.Int("port", 0, "ignored (the KV server's port in cmd/tandem)")
	flag.Parse()
	srv, err := server.Open(server.OpenOptions{
		Config: server.Config{Addr: fmt.Sprintf("127.0.0.1:%d", *port)},
		Dir:    *dir, PageSize: *pageSize, BufferPoolSize: *pool,
	})
	if err != nil {
		log.Fatal(err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
	}()
	if err := srv.ListenAndServe(); err != server.ErrServerClosed {
		log.Fatal(err)
	}
	<-stopped // Shutdown closes the engine after the last connection
}

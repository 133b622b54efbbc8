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
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tandem-db/tandem/internal/mysql/server"
)

func main() {
	port := flag.Int("mysql-port", 3306, "SQL port on 127.0.0.1")
	dir := flag.String("dir", "./data", "data root")
	pool := flag.String("innodb-buffer-pool-size", "128m", "buffer pool size (bytes, or with k/m/g)")
	pageSize := flag.Int("innodb-page-size", 16384, "page size in bytes")
	flag.Int("port", 0, "ignored (the KV server's port in cmd/tandem)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile here until shutdown")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	poolBytes, err := parseSize(*pool)
	if err != nil {
		log.Fatalf("--innodb-buffer-pool-size: %v", err)
	}
	var srv *server.Server
	srv, err = server.Open(server.OpenOptions{
		Config: server.Config{Addr: fmt.Sprintf("127.0.0.1:%d", *port)},
		Dir:    *dir, PageSize: *pageSize, BufferPoolSize: poolBytes,
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
		log.Print(err)
		return
	}
	<-stopped // Shutdown closes the engine after the last connection
}

// parseSize reads "1073741824", "1g", "512M", "64k".
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty size")
	}
	mult := int64(1)
	switch strings.ToLower(s[len(s)-1:]) {
	case "k":
		mult = 1 << 10
	case "m":
		mult = 1 << 20
	case "g":
		mult = 1 << 30
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mult, err
}

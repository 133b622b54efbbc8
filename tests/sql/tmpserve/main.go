// Throwaway: serves tandem's SQL server for a local sysbench run (not committed).
package main

import (
	"flag"
	"log"
	"net/http"
	_ "net/http/pprof"

	"github.com/tandem-db/tandem/internal/mysql/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:33071", "")
	dir := flag.String("dir", "/tmp/tandem-serve", "")
	flag.Parse()
	go func() { log.Println(http.ListenAndServe("127.0.0.1:6069", nil)) }()
	srv, err := server.Open(server.OpenOptions{Config: server.Config{Addr: *addr}, Dir: *dir})
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(srv.ListenAndServe())
}

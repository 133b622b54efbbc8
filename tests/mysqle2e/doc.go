// Package mysqle2e runs tandem's SQL server in-process on 127.0.0.1:0 and
// talks to it with real clients: go-sql-driver/mysql (prepared statements and
// interpolated parameters), the mariadb command-line client and sysbench.
//
// Set TANDEM_MYSQL_ADDR=host:port to run the same tests against a real
// server instead (root without a password; bench/mysql/mariadbd.sh starts
// one), so that expectations are checked against it. Tests that need a
// binary that is not installed skip themselves.
package mysqle2e

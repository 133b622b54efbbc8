// Package sql runs the SQL behaviour scripts: each *.test file holds
// statements ending with ';' at the end of a line, and its *.result file the
// output recorded against a real server (mariadbd, with MySQL 8's answers
// substituted where the two differ). TestScripts runs every script in-process
// against the executor on the memory engine and on the real engine and
// diffs; with TANDEM_RECORD_DSN set (see mariadb.sh) TestRecord rewrites the
// .result files from that server instead.
// It imports internal/mysql/sql and the engines, never internal/redis.
package sql

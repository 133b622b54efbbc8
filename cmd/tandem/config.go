package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	kvserver "github.com/tandem-db/tandem/internal/redis/server"
)

// config is the whole process's configuration: the KV server's section and
// the SQL server's. Directives named mysql-* and innodb-* belong to SQL.
type config struct {
	kv  *kvserver.Config
	sql sqlConfig
}

// sqlConfig holds the SQL server's options (MySQL's option names).
type sqlConfig struct {
	Port                int
	BufferPoolSize      int64
	PageSize            int
	FlushLogAtTrxCommit int
	Socket              string // unix socket path; empty: none
}

func isSQLDirective(name string) bool {
	name = strings.ToLower(name)
	return strings.HasPrefix(name, "mysql-") || strings.HasPrefix(name, "innodb-") || strings.HasPrefix(name, "innodb_")
}

func (c *sqlConfig) set(name, value string) error {
	name = strings.ReplaceAll(strings.ToLower(name), "_", "-")
	switch name {
	case "mysql-port":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 65535 {
			return fmt.Errorf("invalid mysql-port %q", value)
		}
		c.Port = n
	case "innodb-buffer-pool-size":
		n, err := kvserver.ParseMemory(value)
		if err != nil || n < 1<<20 {
			return fmt.Errorf("invalid innodb-buffer-pool-size %q", value)
		}
		c.BufferPoolSize = n
	case "innodb-page-size":
		n, err := kvserver.ParseMemory(value)
		if err != nil || (n != 16<<10 && n != 32<<10 && n != 64<<10) {
			return fmt.Errorf("invalid innodb-page-size %q: must be 16k, 32k or 64k", value)
		}
		c.PageSize = int(n)
	case "mysql-socket":
		c.Socket = value
	case "innodb-flush-log-at-trx-commit":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 2 {
			return fmt.Errorf("invalid innodb-flush-log-at-trx-commit %q: must be 0, 1 or 2", value)
		}
		c.FlushLogAtTrxCommit = n
	default:
		return fmt.Errorf("unknown SQL option '%s'", name)
	}
	return nil
}

// loadConfig reads an optional config file (the first argument when it does
// not start with "--") and then --name value directives, as redis-server does.
func loadConfig(args []string) (*config, error) {
	cfg := &config{kv: kvserver.NewConfig(), sql: sqlConfig{Port: 3306, BufferPoolSize: 128 << 20, PageSize: 16 << 10, FlushLogAtTrxCommit: 1}}
	var lines []string
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		text, err := os.ReadFile(args[0])
		if err != nil {
			return nil, fmt.Errorf("Fatal error, can't open config file '%s': %v", args[0], err)
		}
		lines = append(lines, strings.Split(string(text), "\n")...)
		cfg.kv.ConfigFile = args[0]
		args = args[1:]
	}
	for i := 0; i < len(args); {
		if !strings.HasPrefix(args[i], "--") {
			return nil, fmt.Errorf("tandem: unexpected argument %q", args[i])
		}
		name := strings.TrimPrefix(args[i], "--")
		i++
		var vals []string
		for i < len(args) && !strings.HasPrefix(args[i], "--") {
			vals = append(vals, quoteArg(args[i]))
			i++
		}
		lines = append(lines, name+" "+strings.Join(vals, " "))
	}
	var kvLines []string
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) > 0 && isSQLDirective(f[0]) {
			if len(f) != 2 {
				return nil, fmt.Errorf("tandem: %s takes one value", f[0])
			}
			if err := cfg.sql.set(f[0], f[1]); err != nil {
				return nil, fmt.Errorf("tandem: %w", err)
			}
			continue
		}
		kvLines = append(kvLines, line)
	}
	if err := cfg.kv.ParseFile(strings.Join(kvLines, "\n")); err != nil {
		return nil, err
	}
	return cfg, nil
}

func quoteArg(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"'\\") {
		return strconv.Quote(s)
	}
	return s
}

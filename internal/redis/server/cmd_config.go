package server

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tandem-db/tandem/internal/redis/command"
	"github.com/tandem-db/tandem/internal/redis/glob"
)

// CONFIG GET/SET/RESETSTAT/REWRITE over the directive table of config.go.

// Error texts of CONFIG.
const (
	errConfigUnknown   = "ERR Unknown option or number of arguments for CONFIG SET - '%s'"
	errConfigFailed    = "ERR CONFIG SET failed (possibly related to argument '%s') - %s"
	errNoConfigFile    = "ERR The server is running without a config file"
	errRewriteFailed   = "ERR Rewriting config file: %s"
	errImmutableConfig = "can't set immutable config"
	errDuplicateConfig = "duplicate parameter"
	errCannotRebind    = "Unable to listen on this port: changing the listening address at runtime is not supported"
)

// rebindDirectives are mutable in Redis (it re-listens); tandem accepts
// them only unchanged, so CONFIG SET of every directive to its own value
// works.
var rebindDirectives = map[string]bool{"port": true, "bind": true}

var configHelp = []string{
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"REWRITE",
	"    Rewrite the configuration file.",
}

func (a *admin) registerConfig() {
	adm := []string{"admin", "slow", "dangerous"}
	flags := command.Admin | command.NoScript | command.Loading | command.Stale
	sub := func(name string, arity int, since, summary, complexity string, h command.Handler) *command.Spec {
		return &command.Spec{Name: name, Arity: arity, Flags: flags, Group: "server", Since: since,
			Summary: summary, Complexity: complexity, ACL: adm, Handler: h}
	}
	a.s.table.Add(&command.Spec{Name: "config", Arity: -2, Group: "server", Since: "2.0.0",
		Summary: "A container for server configuration commands.", Complexity: "Depends on subcommand.", ACL: []string{"slow"},
		Sub: []*command.Spec{
			sub("get", -3, "2.0.0", "Returns the effective values of configuration parameters.", "O(N) when N is the number of configuration parameters provided", a.cmdConfigGet),
			sub("set", -4, "2.0.0", "Sets configuration parameters in-flight.", "O(N) when N is the number of configuration parameters provided", a.cmdConfigSet),
			sub("resetstat", 2, "2.0.0", "Resets the server's statistics.", "O(1)", a.cmdConfigResetStat),
			sub("rewrite", 2, "2.8.0", "Persists the effective configuration to file.", "O(1)", a.cmdConfigRewrite),
			{Name: "help", Arity: 2, Flags: command.Loading | command.Stale, Group: "server", Since: "5.0.0",
				Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)", ACL: []string{"slow"},
				Handler: func(c *command.Ctx) { helpReply(c, "CONFIG", configHelp) }},
		}})
}

func (a *admin) cmdConfigGet(c *command.Ctx) {
	cfg := a.s.cfg
	seen := map[string]bool{}
	var out [][2]string
	for _, pat := range c.Args[2:] {
		p := string(pat)
		if !strings.ContainsAny(p, "*?[") {
			// An exact name also finds a directive by its alias, and
			// answers with the name asked for.
			if d, ok := cfg.lookup(p); ok {
				name := strings.ToLower(p)
				if !seen[name] {
					seen[name] = true
					out = append(out, [2]string{name, cfg.value(d.name)})
				}
			}
			continue
		}
		for _, nv := range cfg.Get(func(name string) bool { return glob.MatchFold(pat, []byte(name)) }) {
			if !seen[nv[0]] {
				seen[nv[0]] = true
				out = append(out, nv)
			}
		}
		for _, d := range cfg.directives() {
			if d.alias != "" && !seen[d.alias] && glob.MatchFold(pat, []byte(d.alias)) {
				seen[d.alias] = true
				out = append(out, [2]string{d.alias, cfg.value(d.name)})
			}
		}
	}
	c.W.Map(len(out))
	for _, nv := range out {
		c.W.BulkString(nv[0])
		c.W.BulkString(nv[1])
	}
}

// value is the current text of a directive.
func (c *Config) value(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values[name]
}

func (a *admin) cmdConfigSet(c *command.Ctx) {
	args := c.Args[2:]
	if len(args)%2 != 0 {
		c.Error(command.WrongArgs("config|set"))
		return
	}
	cfg := a.s.cfg
	type change struct {
		d        directive
		arg, val string
	}
	var changes []change
	seen := map[string]bool{}
	// Check every name first: an unknown, immutable or repeated one
	// fails the whole command before anything changes.
	for i := 0; i < len(args); i += 2 {
		arg := string(args[i])
		d, ok := cfg.lookup(arg)
		if !ok {
			c.Error(fmt.Sprintf(errConfigUnknown, arg))
			return
		}
		if !d.mutable && !rebindDirectives[d.name] {
			c.Error(fmt.Sprintf(errConfigFailed, arg, errImmutableConfig))
			return
		}
		if seen[d.name] {
			c.Error(fmt.Sprintf(errConfigFailed, arg, errDuplicateConfig))
			return
		}
		seen[d.name] = true
		changes = append(changes, change{d, arg, string(args[i+1])})
	}
	old := make([]string, 0, len(changes))
	fail := func(k int, err string) {
		// Roll back what was applied, newest first.
		for j := k - 1; j >= 0; j-- {
			_ = cfg.Set(changes[j].d.name, old[j], true)
		}
		a.s.applyConfigLocked()
		c.Error(fmt.Sprintf(errConfigFailed, changes[k].arg, err))
	}
	for k, ch := range changes {
		prev := cfg.value(ch.d.name)
		old = append(old, prev)
		if rebindDirectives[ch.d.name] {
			if !sameDirectiveValue(cfg, ch.d, ch.val, prev) {
				fail(k, errCannotRebind)
				return
			}
			continue
		}
		if err := cfg.Set(ch.d.name, ch.val, false); err != nil {
			fail(k, err.Error())
			return
		}
	}
	a.s.applyConfigLocked()
	if seen["maxmemory"] && cfg.MaxMemory > 0 {
		// A lower limit evicts at once (Redis' updateMaxmemory), not only
		// before the next command.
		a.s.evictLocked()
	}
	c.W.OK()
}

// sameDirectiveValue reports whether v renders as the directive's
// current value cur.
func sameDirectiveValue(cfg *Config, d directive, v, cur string) bool {
	if d.name == "bind" {
		return strings.Join(strings.Fields(v), " ") == cur
	}
	return strings.TrimSpace(v) == cur
}

func (a *admin) cmdConfigResetStat(c *command.Ctx) {
	s := a.s
	s.stats.reset()   // per-command counters and latency histograms
	s.ks.ResetStats() // keyspace hits/misses, active expiry
	s.stats.connections = 0
	a.memPeak = 0
	a.ops = opsSampler{}
	c.W.OK()
}

func (a *admin) cmdConfigRewrite(c *command.Ctx) {
	path := a.s.cfg.ConfigFile
	if path == "" {
		c.Error(errNoConfigFile)
		return
	}
	if err := rewriteConfigFile(a.s.cfg, path); err != nil {
		a.s.log.Warn("CONFIG REWRITE failed", "err", err)
		c.Error(fmt.Sprintf(errRewriteFailed, err))
		return
	}
	a.s.log.Info("CONFIG REWRITE executed with success.")
	c.W.OK()
}

const rewriteSignature = "# Generated by CONFIG REWRITE"

// rewriteConfigText rewrites a config file as Redis does: comments and
// unknown lines stay, the first line of each directive gets its current
// value and its other lines go, and directives that differ from their
// default and have no line are appended after a signature comment.
func rewriteConfigText(cfg *Config, text string) string {
	dirs := cfg.directives()
	current := map[string]string{}
	for _, d := range dirs {
		current[d.name] = cfg.value(d.name)
	}
	var out []string
	done := map[string]bool{}
	signed := false
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if text == "" {
		lines = nil
	}
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if trimmed == rewriteSignature {
			signed = true
		}
		if trimmed == "" || trimmed[0] == '#' {
			out = append(out, line)
			continue
		}
		args, ok := splitConfigLine(trimmed)
		if !ok || len(args) == 0 {
			out = append(out, line)
			continue
		}
		d, known := cfg.lookup(args[0])
		if !known {
			out = append(out, line)
			continue
		}
		if done[d.name] {
			continue
		}
		done[d.name] = true
		out = append(out, configLine(d, current[d.name]))
	}
	// Drop trailing blank lines before appending.
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	var extra []string
	for _, d := range dirs {
		if done[d.name] || current[d.name] == canonicalDefault(d) {
			continue
		}
		extra = append(extra, configLine(d, current[d.name]))
	}
	if len(extra) > 0 && !signed {
		out = append(out, rewriteSignature)
	}
	out = append(out, extra...)
	return strings.Join(out, "\n") + "\n"
}

// canonicalDefault renders a directive's default as CONFIG GET would.
func canonicalDefault(d directive) string {
	if d.get == nil {
		return d.def
	}
	tmp := NewConfig()
	td, _ := tmp.lookup(d.name)
	return td.get(tmp)
}

// configLine is "name value" with the value quoted when it needs to be.
func configLine(d directive, v string) string {
	if d.multiArg && v != "" {
		return d.name + " " + v
	}
	return d.name + " " + quoteConfigValue(v)
}

func quoteConfigValue(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\r\n\"'\\") {
		return v
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; ch {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(ch)
		case '\n':
			b.WriteString("\\n")
		case '\r':
			b.WriteString("\\r")
		case '\t':
			b.WriteString("\\t")
		default:
			if ch < 0x20 || ch >= 0x7f {
				fmt.Fprintf(&b, "\\x%02x", ch)
			} else {
				b.WriteByte(ch)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// rewriteConfigFile replaces the file atomically: a temporary file in the
// same directory, synced, renamed over the original.
func rewriteConfigFile(cfg *Config, path string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	text := rewriteConfigText(cfg, string(old))
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tandem-config-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

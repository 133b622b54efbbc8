package compat

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/tandem-db/tandem/internal/redis/resp"
	"github.com/tandem-db/tandem/internal/redis/server"
)

const replyTimeout = 10 * time.Second

// target starts a fresh server for one transcript and returns its address.
type target struct {
	name  string
	start func(t *testing.T) string
}

func targets(t *testing.T) []target {
	ts := []target{{"tandem", startTandem}}
	if os.Getenv("TANDEM_COMPAT_REDIS") == "1" {
		if _, err := exec.LookPath("redis-server"); err != nil {
			t.Fatalf("TANDEM_COMPAT_REDIS=1 but redis-server is not installed: %v", err)
		}
		ts = append(ts, target{"redis", startRedis})
	}
	return ts
}

// startTandem runs tandem's KV server in-process on a loopback port.
func startTandem(t *testing.T) string {
	t.Helper()
	cfg := server.NewConfig()
	if cfg.Known("dir") {
		if err := cfg.Set("dir", t.TempDir(), true); err != nil {
			t.Fatal(err)
		}
	}
	// DEBUG from loopback, as startRedis allows it (TestKeyStats turns
	// active expiry off with it).
	if err := cfg.Set("enable-debug-command", "local", true); err != nil {
		t.Fatal(err)
	}
	s := server.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil && err != server.ErrServerClosed {
			t.Errorf("serve: %v", err)
		}
	})
	return l.Addr().String()
}

// freePort finds a loopback port nobody listens on.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRedis starts a real redis-server with a temporary directory, no
// persistence, and stops it (by its PID) when the test ends.
func startRedis(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for attempt := 0; ; attempt++ {
		port := freePort(t)
		cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--enable-debug-command", "local",
			"--logfile", filepath.Join(dir, "redis.log"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		if waitPing(addr, 5*time.Second) {
			t.Cleanup(func() {
				cmd.Process.Kill()
				cmd.Wait()
			})
			return addr
		}
		cmd.Process.Kill()
		cmd.Wait()
		if attempt == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server did not start:\n%s", log)
		}
	}
}

func waitPing(addr string, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if c, err := dial(addr); err == nil {
			err = c.send([][]byte{[]byte("PING")})
			var r reply
			if err == nil {
				r, err = c.read(time.Second)
			}
			c.close()
			if err == nil && r.str == "PONG" {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// transcriptFiles lists every file under testdata, as paths relative to it.
func transcriptFiles(t *testing.T) []string {
	var files []string
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			rel, _ := filepath.Rel("testdata", path)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func TestTranscripts(t *testing.T) {
	files := transcriptFiles(t)
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			for _, f := range files {
				t.Run(f, func(t *testing.T) {
					runTranscript(t, tg.start(t), filepath.Join("testdata", f))
				})
			}
		})
	}
}

// session is the set of named connections of one transcript.
type session struct {
	addr  string
	conns map[string]*conn
}

func (s *session) conn(t *testing.T, name string) *conn {
	if c, ok := s.conns[name]; ok {
		return c
	}
	c, err := dial(s.addr)
	if err != nil {
		t.Fatal(err)
	}
	s.conns[name] = c
	return c
}

func runTranscript(t *testing.T, addr, path string) {
	s := &session{addr: addr, conns: map[string]*conn{}}
	defer func() {
		for _, c := range s.conns {
			c.close()
		}
	}()
	datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
		name := "main"
		if d.HasArg("conn") {
			d.ScanArgs(t, "conn", &name)
		}
		switch d.Cmd {
		case "sleep":
			var ms int
			d.ScanArgs(t, "ms", &ms)
			time.Sleep(time.Duration(ms) * time.Millisecond)
			return ""
		case "send":
			c := s.conn(t, name)
			for _, args := range commands(t, d) {
				if err := c.send(args); err != nil {
					t.Fatalf("%s: %v", d.Pos, err)
				}
			}
			return ""
		case "recv":
			n := 1
			if d.HasArg("n") {
				d.ScanArgs(t, "n", &n)
			}
			c := s.conn(t, name)
			var out strings.Builder
			for i := 0; i < n; i++ {
				r, err := c.read(replyTimeout)
				if err != nil {
					t.Fatalf("%s: %v", d.Pos, err)
				}
				out.WriteString(render(r, d.HasArg("sort")))
			}
			return check(d, out.String())
		case "require":
			// Skip the rest of the file when the server does not know one
			// of the listed commands yet (a family still being written).
			c := s.conn(t, name)
			for _, cmd := range commands(t, d) {
				if err := c.send(cmd[:1]); err != nil {
					t.Fatal(err)
				}
				r, err := c.read(replyTimeout)
				if err != nil {
					t.Fatal(err)
				}
				if r.kind == '-' && strings.HasPrefix(r.str, "ERR unknown command") {
					t.Skipf("%s: server lacks %s", d.Pos, cmd[0])
				}
			}
			return ""
		case "do":
			c := s.conn(t, name)
			var out strings.Builder
			for _, args := range commands(t, d) {
				if err := c.send(args); err != nil {
					t.Fatalf("%s: %v", d.Pos, err)
				}
				r, err := c.read(replyTimeout)
				if err != nil {
					t.Fatalf("%s: reading reply: %v", d.Pos, err)
				}
				if r.kind == '-' && d.HasArg("hide") {
					t.Fatalf("%s: %s failed: %s", d.Pos, args[0], r.str)
				}
				out.WriteString(render(r, d.HasArg("sort")))
			}
			if d.HasArg("hide") {
				return ""
			}
			return check(d, out.String())
		}
		t.Fatalf("%s: unknown directive %q", d.Pos, d.Cmd)
		return ""
	})
}

// commands splits the block's input lines as redis-cli does.
func commands(t *testing.T, d *datadriven.TestData) [][][]byte {
	var out [][][]byte
	for _, line := range strings.Split(d.Input, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		args, ok := resp.SplitArgs([]byte(line), nil)
		if !ok {
			t.Fatalf("%s: unbalanced quotes in %q", d.Pos, line)
		}
		out = append(out, args)
	}
	return out
}

// check returns the expected text when the block asks for a regexp match
// and the output matches it, so datadriven sees no difference.
func check(d *datadriven.TestData, out string) string {
	if !d.HasArg("regexp") {
		return out
	}
	re, err := regexp.Compile("^(?:" + strings.TrimSuffix(d.Expected, "\n") + ")$")
	if err == nil && re.MatchString(strings.TrimSuffix(out, "\n")) {
		return d.Expected
	}
	return out
}

func render(r reply, sorted bool) string {
	if sorted {
		sortScalars(&r)
	}
	return format(r)
}

// sortScalars orders every array or set made only of scalars, and the
// pairs of every map, so that replies in hash order compare equal.
func sortScalars(r *reply) {
	switch r.kind {
	case '*', '~':
		scalars := true
		for i := range r.elems {
			if len(r.elems[i].elems) > 0 || r.elems[i].kind == '*' || r.elems[i].kind == '%' || r.elems[i].kind == '~' {
				scalars = false
				sortScalars(&r.elems[i])
			}
		}
		if scalars {
			sort.SliceStable(r.elems, func(i, j int) bool { return r.elems[i].str < r.elems[j].str })
		}
	case '%':
		type pair struct{ k, v reply }
		ps := make([]pair, len(r.elems)/2)
		for i := range ps {
			ps[i] = pair{r.elems[2*i], r.elems[2*i+1]}
			sortScalars(&ps[i].v)
		}
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].k.str < ps[j].k.str })
		for i, p := range ps {
			r.elems[2*i], r.elems[2*i+1] = p.k, p.v
		}
	}
}

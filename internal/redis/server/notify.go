package server

import (
	"strconv"

	"github.com/tandem-db/tandem/internal/redis/keyspace"

	"github.com/tandem-db/tandem/internal/redis/resp"
)

// Keyspace notification classes (notify-keyspace-events).
const (
	notifyKeyspace = 1 << iota // K
	notifyKeyevent             // E
	notifyGeneric              // g
	notifyString               // $
	notifyList                 // l
	notifySet                  // s
	notifyHash                 // h
	notifyZSet                 // z
	notifyExpired              // x
	notifyEvicted              // e
	notifyStream               // t
	notifyKeyMiss              // m
	notifyModule               // d
	notifyNew                  // n
	notifyAll      = notifyGeneric | notifyString | notifyList | notifySet | notifyHash |
		notifyZSet | notifyExpired | notifyEvicted | notifyStream | notifyModule
)

var notifyClasses = map[byte]int{
	'K': notifyKeyspace, 'E': notifyKeyevent, 'g': notifyGeneric, '$': notifyString,
	'l': notifyList, 's': notifySet, 'h': notifyHash, 'z': notifyZSet, 'x': notifyExpired,
	'e': notifyEvicted, 't': notifyStream, 'm': notifyKeyMiss, 'd': notifyModule,
	'n': notifyNew, 'A': notifyAll,
}

func parseNotifyFlags(s string) (int, bool) {
	f := 0
	for i := 0; i < len(s); i++ {
		v, ok := notifyClasses[s[i]]
		if !ok {
			return 0, false
		}
		f |= v
	}
	return f, true
}

// notifyFlagsString renders flags as CONFIG GET shows them.
func notifyFlagsString(f int) string {
	var b []byte
	if f&notifyAll == notifyAll {
		b = append(b, 'A')
	} else {
		for _, c := range []byte("g$lshzxetd") {
			if f&notifyClasses[c] != 0 {
				b = append(b, c)
			}
		}
	}
	for _, c := range []byte("KEmn") {
		if f&notifyClasses[c] != 0 {
			b = append(b, c)
		}
	}
	return string(b)
}

// Notify implements command.Hooks: it publishes __keyspace@db__:key and
// __keyevent@db__:event messages when the class is enabled.
func (s *Server) Notify(db int, class byte, event string, key []byte) {
	flags := s.cfg.NotifyKeyspaceEvents
	if flags == 0 {
		return
	}
	cl, ok := notifyClasses[class]
	if !ok || flags&cl == 0 {
		return
	}
	if flags&notifyKeyspace != 0 {
		ch := make([]byte, 0, 16+len(key))
		ch = append(ch, "__keyspace@"...)
		ch = strconv.AppendInt(ch, int64(db), 10)
		ch = append(ch, "__:"...)
		ch = append(ch, key...)
		s.pubsub.publish(ch, []byte(event))
	}
	if flags&notifyKeyevent != 0 {
		ch := make([]byte, 0, 16+len(event))
		ch = append(ch, "__keyevent@"...)
		ch = strconv.AppendInt(ch, int64(db), 10)
		ch = append(ch, "__:"...)
		ch = append(ch, event...)
		s.pubsub.publish(ch, key)
	}
}

// readMode is the keyspace read mode of a read-only command: its lookups
// count as hits or misses, and a miss calls onKeyMiss only when the m class
// is enabled (no hook call per miss otherwise).
func (s *Server) readMode() keyspace.ReadMode {
	if s.cfg.NotifyKeyspaceEvents&notifyKeyMiss != 0 {
		return keyspace.Reads
	}
	return keyspace.ReadsCount
}

// onKeyMiss is called by the keyspace for a read lookup that found nothing
// (Redis' lookupKey without LOOKUP_NONOTIFY).
func (s *Server) onKeyMiss(db int, key []byte) { s.Notify(db, 'm', "keymiss", key) }

// onKeyNew is called by the keyspace for every key added to a database
// (Redis' dbAdd), before the command publishes its own event.
func (s *Server) onKeyNew(db int, key []byte) { s.Notify(db, 'n', "new", key) }

func splitConfigLine(line string) ([]string, bool) {
	args, ok := resp.SplitArgs([]byte(line), nil)
	if !ok {
		return nil, false
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out, true
}

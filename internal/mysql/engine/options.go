package engine

import (
	"time"

	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// FlushPolicy is innodb_flush_log_at_trx_commit.
type FlushPolicy int

// Flush policies. The zero value is InnoDB's default, 1.
const (
	FlushAtCommit      FlushPolicy = iota // 1: write and fsync the redo log at every commit
	FlushWriteAtCommit                    // 2: write at commit, fsync once a second
	FlushPerSecond                        // 0: write and fsync once a second
)

// FlushPolicyFor maps innodb_flush_log_at_trx_commit's value to a policy.
func FlushPolicyFor(setting int) FlushPolicy {
	switch setting {
	case 0:
		return FlushPerSecond
	case 2:
		return FlushWriteAtCommit
	}
	return FlushAtCommit
}

// Options configure Open. Zero values take the defaults.
type Options struct {
	Dir            string // data root; the engine's files live under Dir/mysql
	FS             vfs.FS // default vfs.Default
	PageSize       int    // 16384 (default), 32768 or 65536; fixed when the directory is created
	BufferPoolSize int64  // bytes, default 128 MB
	// FlushLogAtTrxCommit is innodb_flush_log_at_trx_commit (see FlushPolicyFor).
	FlushLogAtTrxCommit FlushPolicy
	// CheckpointInterval is how often dirty pages are written back and the
	// checkpoint advanced (default 10 s); a checkpoint also starts when the
	// redo written since the last one exceeds LogCheckpointBytes (default 256 MB).
	CheckpointInterval time.Duration
	LogCheckpointBytes int64
	LogSegmentSize     int64 // redo segment file size (default 64 MB)
	// LockWaitTimeout is the default row-lock wait (innodb_lock_wait_timeout, 50 s).
	LockWaitTimeout time.Duration
}

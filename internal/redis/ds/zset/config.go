package zset

// Config holds the encoding thresholds (CONFIG SET zset-max-listpack-entries,
// zset-max-listpack-value; the ziplist names are aliases).
type Config struct {
	MaxListpackEntries int // default 128
	MaxListpackValue   int // default 64
}

// DefaultConfig is Redis' default.
func DefaultConfig() Config { return Config{MaxListpackEntries: 128, MaxListpackValue: 64} }

// FitsListpack reports whether a set of n members whose longest member is
// maxLen bytes may use the listpack encoding.
func (c Config) FitsListpack(n, maxLen int) bool {
	return n <= c.MaxListpackEntries && maxLen <= c.MaxListpackValue
}

//go:build !linux

package vfs

// DataSync makes f's data durable (Sync where fdatasync is not available).
func DataSync(f File) error { return f.Sync() }

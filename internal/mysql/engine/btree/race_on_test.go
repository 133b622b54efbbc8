//go:build race

package btree

// raceEnabled scales long tests down under the race detector (10-30x slower).
const raceEnabled = true

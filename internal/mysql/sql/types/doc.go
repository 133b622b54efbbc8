// Package types holds the SQL value representation shared by the executor and
// the wire server: Value (a small tagged struct, no allocation for numbers and
// temporal values), its MySQL text rendering, and exact DECIMAL arithmetic.
// It imports nothing of tandem.
package types

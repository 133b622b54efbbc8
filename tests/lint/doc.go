// Package lint holds tests that enforce the project's layout rules on the
// source tree: the import rule between internal/redis, internal/mysql and
// internal/shared, and a doc comment on every package.
package lint

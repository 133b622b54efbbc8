// Package memory is an in-memory engine.Engine: each index is a sorted slice
// of key/value pairs behind one mutex, and a transaction applies its changes
// at once while keeping an undo list for Rollback and RollbackTo. It has no
// isolation between transactions (every read sees the latest write) and no
// durability; it is the model that the real engine's randomized tests compare
// against and the engine of the SQL front end's unit tests.
// It imports only internal/mysql/engine.
package memory

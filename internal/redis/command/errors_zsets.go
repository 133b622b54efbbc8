package command

import (
	"github.com/tandem-db/tandem/internal/redis/ds/hll"
	"github.com/tandem-db/tandem/internal/redis/ds/zset"
)

// Error texts of the sorted set, geo, bitmap and HyperLogLog families, as
// redis-server 7.0 sends them.
const (
	errZAddXXNX        = "ERR XX and NX options at the same time are not compatible"
	errZAddGTLTNX      = "ERR GT, LT, and/or NX options at the same time are not compatible"
	errZAddIncrPair    = "ERR INCR option supports a single increment-element pair"
	errZScoreNaN       = "ERR resulting score is not a number (NaN)"
	errZMinMaxFloat    = "ERR min or max is not a float"
	errZMinMaxLex      = "ERR min or max not valid string range item"
	errZLimitRank      = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	errZWithscoresLex  = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	errZWeightFloat    = "ERR weight value is not a float"
	errZNumkeys        = "ERR numkeys should be greater than 0"
	errZCount          = "ERR count should be greater than 0"
	errZLimitNeg       = "ERR LIMIT can't be negative"
	errValueOutOfRange = "ERR value is out of range"

	errGeoUnitUnknown = "ERR unsupported unit provided. please use M, KM, FT, MI"
	errGeoAnyCount    = "ERR the ANY argument requires COUNT argument"
	errGeoCountZero   = "ERR COUNT must be > 0"
	errGeoMember      = "ERR could not decode requested zset member"
	errGeoRadiusNeg   = "ERR radius cannot be negative"
	errGeoHeightNeg   = "ERR height or width cannot be negative"

	errBitNotInt       = "ERR bit is not an integer or out of range"
	errBitOffset       = "ERR bit offset is not an integer or out of range"
	errBitArg          = "ERR The bit argument must be 1 or 0."
	errBitOpNot        = "ERR BITOP NOT must be called with a single source key."
	errBitfieldType    = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	errBitfieldOvf     = "ERR Invalid OVERFLOW type specified"
	errBitfieldROWrite = "ERR BITFIELD_RO only supports the GET subcommand"

	errHLLWrongType = "WRONGTYPE Key is not a valid HyperLogLog string value."
	errHLLCorrupt   = "INVALIDOBJ Corrupted HLL object detected"
)

// SortedConfig holds the thresholds of sorted sets (zset-max-listpack-entries,
// zset-max-listpack-value, and their ziplist aliases) and of HyperLogLogs
// (hll-sparse-max-bytes), which CONFIG SET changes at run time.
type SortedConfig struct {
	ZSet zset.Config
	HLL  hll.Config
}

// DefaultSortedConfig returns Redis 7.0's defaults.
func DefaultSortedConfig() SortedConfig {
	return SortedConfig{ZSet: zset.DefaultConfig(), HLL: hll.DefaultConfig()}
}

// sortedConfig returns the thresholds in force for c.
func sortedConfig(c *Ctx) SortedConfig {
	if c.Set == nil {
		return DefaultSortedConfig()
	}
	return c.Set.Sorted
}

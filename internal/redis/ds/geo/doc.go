// Package geo is the geohash arithmetic behind Redis' GEO commands: 52-bit
// interleaved geohashes over the Web-Mercator latitude range used as sorted
// set scores, decoding back to a cell centre, the neighbour cells and the
// search-area estimate of GEOSEARCH, and haversine distances on Redis' earth
// radius. Every step follows Redis' order of floating-point operations so
// that coordinates and distances print to the same digits.
//
// It imports only the standard library.
package geo

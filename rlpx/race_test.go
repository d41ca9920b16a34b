//go:build race

package rlpx

// raceEnabled trims the largest (16 MiB) uncompressed exchanges, which the
// race detector makes slow; they still run without -race.
const raceEnabled = true

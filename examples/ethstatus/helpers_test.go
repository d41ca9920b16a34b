package main

import (
	"encoding/hex"
	"math/big"
	"slices"
	"strings"
)

func newBig(s string) *big.Int {
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("bad big int " + s)
	}
	return x
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func sortStrings(s []string) { slices.Sort(s) }

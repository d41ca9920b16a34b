package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/rlp"
)

// unhex decodes hex written with spaces for readability.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	genesisHex = "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3" // mainnet
	headHex    = "00000000000000000000000000000000000000000000000000000000000000ab"
)

// Hand-assembled Status messages: the layouts of caps/eth.md (eth/68) and
// EIP-7642 (eth/69+), byte by byte.
func status69Hex(version string) string {
	return "f8 54" + // list, 84 bytes
		version + // version
		"01" + // network ID 1
		"a0" + genesisHex + // genesis
		"c9 84 fc64ec04 83 118c30" + // fork ID [0xfc64ec04, 1150000]
		"80" + // earliest block 0
		"84 01406f40" + // latest block 21000000
		"a0" + headHex // latest block hash
}

const status68Hex = "f8 59" + // list, 89 bytes
	"44" + // version 68
	"01" + // network ID 1
	"8a 0c70d815d562d3cfa955" + // total difficulty 58750003716598352816469
	"a0" + "00000000000000000000000000000000000000000000000000000000000000ab" + // best hash
	"a0" + "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3" + // genesis
	"c9 84 fc64ec04 83 118c30" // fork ID

func TestDecodeStatus(t *testing.T) {
	td, _ := new(big.Int).SetString("58750003716598352816469", 10)
	var genesis, head [32]byte
	copy(genesis[:], unhex(t, genesisHex))
	copy(head[:], unhex(t, headHex))
	fork := ForkID{Hash: [4]byte{0xfc, 0x64, 0xec, 0x04}, Next: 1150000}
	want69 := func(v uint64) Status {
		return Status{Version: v, NetworkID: 1, Genesis: genesis, ForkID: fork, LatestBlock: 21000000, LatestBlockHash: head}
	}
	tests := []struct {
		name    string
		version uint
		in      string
		want    Status
	}{
		{"eth/68", 68, status68Hex, Status{Version: 68, NetworkID: 1, Genesis: genesis, ForkID: fork, TD: td, Head: head}},
		{"eth/69", 69, status69Hex("45"), want69(69)},
		{"eth/70", 70, status69Hex("46"), want69(70)},
		{"eth/72", 72, status69Hex("48"), want69(72)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := unhex(t, tt.in)
			got, err := decodeStatus(tt.version, in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != tt.want.Version || got.NetworkID != tt.want.NetworkID || got.Genesis != tt.want.Genesis ||
				got.ForkID != tt.want.ForkID || got.Head != tt.want.Head || got.EarliestBlock != tt.want.EarliestBlock ||
				got.LatestBlock != tt.want.LatestBlock || got.LatestBlockHash != tt.want.LatestBlockHash ||
				(tt.want.TD != nil) != (got.TD != nil) || (got.TD != nil && got.TD.Cmp(tt.want.TD) != 0) {
				t.Fatalf("decoded %+v\nwant    %+v", got, tt.want)
			}
			// Encoding gives back the same bytes.
			enc, err := encodeStatus(got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, in) {
				t.Fatalf("re-encoded %x\nwant       %x", enc, in)
			}
		})
	}
}

func TestDecodeStatusErrors(t *testing.T) {
	// Extra elements are ignored (forward compatibility).
	content, _, err := rlp.SplitList(unhex(t, status69Hex("45")))
	if err != nil {
		t.Fatal(err)
	}
	content = append(content, 0xc1, 0x01)
	extended := append(rlp.AppendListHeader(nil, uint64(len(content))), content...)
	if _, err := decodeStatus(69, extended); err != nil {
		t.Fatalf("status with an extra element: %v", err)
	}

	tests := []struct {
		name    string
		version uint
		in      []byte
		want    error
	}{
		{"version mismatch", 70, unhex(t, status69Hex("45")), errVersionMismatch},
		{"eth/68 layout as eth/69", 69, unhex(t, status68Hex), errInvalidStatus},
		{"eth/69 layout as eth/68", 68, unhex(t, status69Hex("44")), errInvalidStatus},
		{"empty", 69, nil, errInvalidStatus},
		{"empty list", 69, []byte{0xc0}, errInvalidStatus},
		{"truncated", 69, unhex(t, status69Hex("45"))[:40], errInvalidStatus},
		{"trailing bytes", 69, append(unhex(t, status69Hex("45")), 0x00), errInvalidStatus},
		{"too large", 69, make([]byte, maxStatusSize+1), errStatusTooLarge},
		{"earliest after latest", 69, mustEncode(t, &status69{Version: 69, EarliestBlock: 2, LatestBlock: 1}), errInvalidStatus},
		{"huge td", 68, mustEncode(t, &status68{Version: 68, TD: new(big.Int).Lsh(big.NewInt(1), 8*maxTDSize)}), errInvalidStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeStatus(tt.version, tt.in); !errors.Is(err, tt.want) {
				t.Fatalf("decodeStatus = %v, want %v", err, tt.want)
			}
		})
	}
}

func mustEncode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOurStatus(t *testing.T) {
	for _, v := range []uint64{68, 69, 72} {
		theirs := &Status{Version: v, NetworkID: 11155111, Genesis: [32]byte{1}, ForkID: ForkID{Hash: [4]byte{9}, Next: 5},
			TD: big.NewInt(1000), Head: [32]byte{2}, EarliestBlock: 10, LatestBlock: 20, LatestBlockHash: [32]byte{3}}
		ours := ourStatus(theirs)
		enc, err := encodeStatus(ours)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeStatus(uint(v), enc)
		if err != nil {
			t.Fatalf("eth/%d: our status does not decode: %v", v, err)
		}
		if back.NetworkID != theirs.NetworkID || back.Genesis != theirs.Genesis || back.ForkID != theirs.ForkID {
			t.Fatalf("eth/%d: our status %+v does not echo network, genesis and fork ID of %+v", v, back, theirs)
		}
		// We claim only the genesis block.
		if v >= 69 && (back.LatestBlock != 0 || back.LatestBlockHash != theirs.Genesis) {
			t.Fatalf("eth/%d: head %d %x, want 0 and the genesis hash", v, back.LatestBlock, back.LatestBlockHash)
		}
		if v < 69 && back.Head != theirs.Genesis {
			t.Fatalf("eth/68: head %x, want the genesis hash", back.Head)
		}
	}
}

func TestEmptyResponse(t *testing.T) {
	mask := strings.Repeat("ab", 16)
	tests := []struct {
		name     string
		version  uint
		code     uint64
		in       string
		wantCode uint64
		want     string
	}{
		{"headers", 69, getBlockHeadersMsg, "c9 07 c6 83 0f4240 01 80 80", blockHeadersMsg, "c2 07 c0"},
		{"headers by hash", 68, getBlockHeadersMsg, "e8 82 0100 e4 a0" + strings.Repeat("11", 32) + "01 80 80", blockHeadersMsg, "c4 82 0100 c0"},
		{"bodies", 72, getBlockBodiesMsg, "e3 81 ff a0" + strings.Repeat("22", 32), blockBodiesMsg, "c3 81 ff c0"},
		{"pooled txs", 69, getPooledTransactionsMsg, "c2 05 c0", pooledTransactionsMsg, "c2 05 c0"},
		{"receipts eth/68", 68, getReceiptsMsg, "c2 09 c0", receiptsMsg, "c2 09 c0"},
		{"receipts eth/69", 69, getReceiptsMsg, "c2 09 c0", receiptsMsg, "c2 09 c0"},
		{"receipts eth/70", 70, getReceiptsMsg, "c3 09 80 c0", receiptsMsg, "c3 09 80 c0"},
		{"access lists", 71, getBlockAccessListsMsg, "c2 0a c0", blockAccessListsMsg, "c2 0a c0"},
		{"cells", 72, getCellsMsg, "d3 0b c0 90" + mask, cellsMsg, "d4 0b c0 c0 90" + mask},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, resp, ok, err := emptyResponse(tt.version, tt.code, unhex(t, tt.in))
			if err != nil || !ok {
				t.Fatalf("emptyResponse: ok %v, %v", ok, err)
			}
			if code != tt.wantCode || !bytes.Equal(resp, unhex(t, tt.want)) {
				t.Fatalf("response 0x%02x %x, want 0x%02x %s", code, resp, tt.wantCode, tt.want)
			}
		})
	}

	t.Run("not a request", func(t *testing.T) {
		for _, code := range []uint64{statusMsg, transactionsMsg, blockHeadersMsg, newPooledTransactionHashesMsg, blockRangeUpdateMsg, 0x0b} {
			if _, _, ok, err := emptyResponse(72, code, []byte{0xc0}); ok || err != nil {
				t.Errorf("code 0x%02x: ok %v, err %v; want not a request", code, ok, err)
			}
		}
	})
	for _, bad := range []struct{ name, code, in string }{
		{"not a list", "03", "05"},
		{"no id", "03", "c0"},
		{"id too large", "03", "ca 89 010000000000000000"},
		{"cells without mask", "14", "c2 0b c0"},
		{"cells short mask", "14", "c5 0b c0 82 abab"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			code := uint64(unhex(t, bad.code)[0])
			if _, _, _, err := emptyResponse(72, code, unhex(t, bad.in)); !errors.Is(err, errBadRequest) {
				t.Fatalf("emptyResponse = %v, want errBadRequest", err)
			}
		})
	}
}

func FuzzDecodeStatus(f *testing.F) {
	f.Add(uint8(68), unhex(f, status68Hex))
	f.Add(uint8(69), unhex(f, status69Hex("45")))
	f.Add(uint8(72), unhex(f, status69Hex("48")))
	f.Fuzz(func(t *testing.T, v uint8, b []byte) {
		version := 68 + uint(v%5)
		s, err := decodeStatus(version, b)
		if err != nil {
			return
		}
		// What decodes encodes, and decodes to the same again.
		enc, err := encodeStatus(s)
		if err != nil {
			t.Fatalf("encode %+v: %v", s, err)
		}
		s2, err := decodeStatus(version, enc)
		if err != nil || s2.NetworkID != s.NetworkID || s2.Genesis != s.Genesis || s2.ForkID != s.ForkID {
			t.Fatalf("round trip: %+v, %v", s2, err)
		}
	})
}

func FuzzEmptyResponse(f *testing.F) {
	f.Add(uint8(72), uint8(getBlockHeadersMsg), unhex(f, "c9 07 c6 83 0f4240 01 80 80"))
	f.Add(uint8(70), uint8(getReceiptsMsg), unhex(f, "c3 09 80 c0"))
	f.Add(uint8(72), uint8(getCellsMsg), unhex(f, "d3 0b c0 90"+strings.Repeat("ab", 16)))
	f.Fuzz(func(t *testing.T, v, code uint8, b []byte) {
		version := 68 + uint(v%5)
		_, resp, ok, err := emptyResponse(version, uint64(code), b)
		if !ok || err != nil {
			return
		}
		// Every response is one list starting with the request's ID.
		content, rest, err := rlp.SplitList(resp)
		if err != nil || len(rest) != 0 {
			t.Fatalf("response %x is not one list: %v", resp, err)
		}
		reqContent, _, _ := rlp.SplitList(b)
		id, _, _ := rlp.SplitUint64(reqContent)
		if got, _, err := rlp.SplitUint64(content); err != nil || got != id {
			t.Fatalf("response id %d (%v), request id %d", got, err, id)
		}
	})
}

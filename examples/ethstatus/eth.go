package main

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/devp2p-go/devp2p/rlp"
)

// The eth wire protocol (devp2p caps/eth.md; EIP-7642 for eth/69, EIP-7975
// for eth/70; eth/71 and eth/72 as go-ethereum v1.17 implements them).
// Message codes are relative to the protocol's offset.
const (
	statusMsg                     = 0x00
	newBlockHashesMsg             = 0x01 // eth/68 only
	transactionsMsg               = 0x02
	getBlockHeadersMsg            = 0x03
	blockHeadersMsg               = 0x04
	getBlockBodiesMsg             = 0x05
	blockBodiesMsg                = 0x06
	newBlockMsg                   = 0x07 // eth/68 only
	newPooledTransactionHashesMsg = 0x08
	getPooledTransactionsMsg      = 0x09
	pooledTransactionsMsg         = 0x0a
	getReceiptsMsg                = 0x0f
	receiptsMsg                   = 0x10
	blockRangeUpdateMsg           = 0x11 // eth/69+
	getBlockAccessListsMsg        = 0x12 // eth/71+
	blockAccessListsMsg           = 0x13 // eth/71+
	getCellsMsg                   = 0x14 // eth/72
	cellsMsg                      = 0x15 // eth/72
)

// versions are the eth versions we speak, with the number of message codes
// each uses (its Protocol.Length).
var versions = []struct {
	version uint
	length  uint64
}{
	{68, 17}, {69, 18}, {70, 18}, {71, 20}, {72, 22},
}

// msgNames names the message codes.
var msgNames = map[uint64]string{
	statusMsg:                     "Status",
	newBlockHashesMsg:             "NewBlockHashes",
	transactionsMsg:               "Transactions",
	getBlockHeadersMsg:            "GetBlockHeaders",
	blockHeadersMsg:               "BlockHeaders",
	getBlockBodiesMsg:             "GetBlockBodies",
	blockBodiesMsg:                "BlockBodies",
	newBlockMsg:                   "NewBlock",
	newPooledTransactionHashesMsg: "NewPooledTransactionHashes",
	getPooledTransactionsMsg:      "GetPooledTransactions",
	pooledTransactionsMsg:         "PooledTransactions",
	getReceiptsMsg:                "GetReceipts",
	receiptsMsg:                   "Receipts",
	blockRangeUpdateMsg:           "BlockRangeUpdate",
	getBlockAccessListsMsg:        "GetBlockAccessLists",
	blockAccessListsMsg:           "BlockAccessLists",
	getCellsMsg:                   "GetCells",
	cellsMsg:                      "Cells",
}

// msgName returns the name of a message code.
func msgName(code uint64) string {
	if n, ok := msgNames[code]; ok {
		return n
	}
	return "unknown"
}

// maxStatusSize bounds the Status message we decode. A real one is about
// 150 bytes; the limit leaves room for fields later versions may append.
const maxStatusSize = 4096

// maxTDSize bounds the total difficulty of an eth/68 Status, in bytes.
// Mainnet's final TD needs 9.
const maxTDSize = 32

// Errors of the Status exchange.
var (
	errStatusTooLarge  = errors.New("eth: status message too large")
	errVersionMismatch = errors.New("eth: status version differs from the negotiated one")
	errInvalidStatus   = errors.New("eth: invalid status")
)

// ForkID is an EIP-2124 fork identifier: the CRC32 checksum of the genesis
// hash and the passed fork blocks or times, and the next scheduled fork
// (0 when none).
type ForkID struct {
	Hash [4]byte
	Next uint64
}

// Status is the eth handshake message in a version-independent form.
type Status struct {
	Version   uint64
	NetworkID uint64
	Genesis   [32]byte
	ForkID    ForkID

	// eth/68: the total difficulty and hash of the best block.
	TD   *big.Int
	Head [32]byte

	// eth/69 and later: the range of blocks the node serves and the hash of
	// the latest one.
	EarliestBlock   uint64
	LatestBlock     uint64
	LatestBlockHash [32]byte
}

// status68 is the eth/68 layout:
// [version, networkid, td, blockhash, genesis, forkid].
type status68 struct {
	Version   uint64
	NetworkID uint64
	TD        *big.Int
	Head      [32]byte
	Genesis   [32]byte
	ForkID    ForkID
	Rest      []rlp.RawValue `rlp:"tail"`
}

// status69 is the eth/69+ layout (EIP-7642): [version, networkid, genesis,
// forkid, earliestBlock, latestBlock, latestBlockHash].
type status69 struct {
	Version         uint64
	NetworkID       uint64
	Genesis         [32]byte
	ForkID          ForkID
	EarliestBlock   uint64
	LatestBlock     uint64
	LatestBlockHash [32]byte
	Rest            []rlp.RawValue `rlp:"tail"`
}

// decodeStatus decodes the payload of a Status message of the negotiated
// eth version. Extra list elements are ignored, for forward compatibility;
// a version field other than the negotiated one is an error, as in
// go-ethereum.
func decodeStatus(version uint, b []byte) (*Status, error) {
	if len(b) > maxStatusSize {
		return nil, fmt.Errorf("%w: %d bytes", errStatusTooLarge, len(b))
	}
	var s Status
	if version < 69 {
		var m status68
		if err := rlp.DecodeBytes(b, &m); err != nil {
			return nil, fmt.Errorf("%w: %w", errInvalidStatus, err)
		}
		if m.TD.Sign() < 0 || len(m.TD.Bytes()) > maxTDSize {
			return nil, fmt.Errorf("%w: total difficulty over %d bytes", errInvalidStatus, maxTDSize)
		}
		s = Status{Version: m.Version, NetworkID: m.NetworkID, Genesis: m.Genesis, ForkID: m.ForkID, TD: m.TD, Head: m.Head}
	} else {
		var m status69
		if err := rlp.DecodeBytes(b, &m); err != nil {
			return nil, fmt.Errorf("%w: %w", errInvalidStatus, err)
		}
		if m.EarliestBlock > m.LatestBlock {
			return nil, fmt.Errorf("%w: earliest block %d after latest %d", errInvalidStatus, m.EarliestBlock, m.LatestBlock)
		}
		s = Status{
			Version: m.Version, NetworkID: m.NetworkID, Genesis: m.Genesis, ForkID: m.ForkID,
			EarliestBlock: m.EarliestBlock, LatestBlock: m.LatestBlock, LatestBlockHash: m.LatestBlockHash,
		}
	}
	if s.Version != uint64(version) {
		return nil, fmt.Errorf("%w: %d, negotiated %d", errVersionMismatch, s.Version, version)
	}
	return &s, nil
}

// encodeStatus encodes s in the layout of s.Version.
func encodeStatus(s *Status) ([]byte, error) {
	if s.Version < 69 {
		td := s.TD
		if td == nil {
			td = new(big.Int)
		}
		return rlp.EncodeToBytes(&status68{
			Version: s.Version, NetworkID: s.NetworkID, TD: td, Head: s.Head, Genesis: s.Genesis, ForkID: s.ForkID,
		})
	}
	return rlp.EncodeToBytes(&status69{
		Version: s.Version, NetworkID: s.NetworkID, Genesis: s.Genesis, ForkID: s.ForkID,
		EarliestBlock: s.EarliestBlock, LatestBlock: s.LatestBlock, LatestBlockHash: s.LatestBlockHash,
	})
}

// ourStatus returns the Status we answer theirs with: the same version,
// network, genesis and fork ID, so the node accepts the session, and a
// chain that holds only the genesis block, which is the truth: we have no
// blocks to serve.
func ourStatus(theirs *Status) *Status {
	s := &Status{Version: theirs.Version, NetworkID: theirs.NetworkID, Genesis: theirs.Genesis, ForkID: theirs.ForkID}
	if s.Version < 69 {
		s.TD, s.Head = new(big.Int), theirs.Genesis
	} else {
		s.LatestBlockHash = theirs.Genesis
	}
	return s
}

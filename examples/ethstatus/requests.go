package main

import (
	"errors"
	"fmt"

	"github.com/devp2p-go/devp2p/rlp"
)

// errBadRequest is wrapped by the errors of emptyResponse.
var errBadRequest = errors.New("eth: malformed request")

// responses maps each request code to the code of its response.
var responses = map[uint64]uint64{
	getBlockHeadersMsg:       blockHeadersMsg,
	getBlockBodiesMsg:        blockBodiesMsg,
	getPooledTransactionsMsg: pooledTransactionsMsg,
	getReceiptsMsg:           receiptsMsg,
	getBlockAccessListsMsg:   blockAccessListsMsg,
	getCellsMsg:              cellsMsg,
}

// emptyResponse returns the answer to a request that says "I have none of
// it": the response code and its payload, carrying the request's ID
// (eth/66 and later wrap every request and response as [request-id, …]).
// ok is false when code is not a request.
//
//   - BlockHeaders, BlockBodies, PooledTransactions, BlockAccessLists and
//     eth/68–69 Receipts: [request-id, []]
//   - eth/70+ Receipts: [request-id, lastBlockIncomplete=false, []]
//   - Cells (eth/72): [request-id, hashes=[], cells=[], mask], with the
//     request's custody mask echoed.
func emptyResponse(version uint, code uint64, payload []byte) (respCode uint64, resp []byte, ok bool, err error) {
	respCode, ok = responses[code]
	if !ok {
		return 0, nil, false, nil
	}
	content, _, err := rlp.SplitList(payload)
	if err != nil {
		return 0, nil, true, fmt.Errorf("%w: %s: %w", errBadRequest, msgName(code), err)
	}
	id, rest, err := rlp.SplitUint64(content)
	if err != nil {
		return 0, nil, true, fmt.Errorf("%w: %s request id: %w", errBadRequest, msgName(code), err)
	}
	body := rlp.AppendUint64(make([]byte, 0, 32), id)
	switch {
	case code == getReceiptsMsg && version >= 70:
		body = append(body, 0x80, 0xc0) // false, []
	case code == getCellsMsg:
		mask, err := cellsMask(rest)
		if err != nil {
			return 0, nil, true, fmt.Errorf("%w: GetCells: %w", errBadRequest, err)
		}
		body = append(body, 0xc0, 0xc0)
		body = rlp.AppendBytes(body, mask)
	default:
		body = append(body, 0xc0)
	}
	resp = rlp.AppendListHeader(make([]byte, 0, len(body)+3), uint64(len(body)))
	return respCode, append(resp, body...), true, nil
}

// cellsMask returns the custody mask of a GetCells request, given the list
// elements after the request ID: [hashes, mask(16 bytes)].
func cellsMask(rest []byte) ([]byte, error) {
	_, _, rest, err := rlp.Split(rest) // the hashes
	if err != nil {
		return nil, err
	}
	mask, _, err := rlp.SplitString(rest)
	if err != nil {
		return nil, err
	}
	if len(mask) != 16 {
		return nil, fmt.Errorf("custody mask of %d bytes, want 16", len(mask))
	}
	return mask, nil
}

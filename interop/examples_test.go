package interop

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethlog "github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rlp"
)

// The example tests build examples/ping and examples/ethstatus from the
// main module and run them against a go-ethereum p2p.Server on loopback.
// The geth side of eth is written here with go-ethereum's own RLP encoder and
// the message layouts of go-ethereum v1.17's eth package, so it checks our
// codecs against an independent implementation.

// buildExample builds ./examples/<name> of the main module.
func buildExample(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, "./examples/"+name)
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	return bin
}

// runExample runs bin and returns its exit code and output.
func runExample(t *testing.T, bin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee := new(exec.ExitError); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

// outputLines returns the lines of out starting with prefix, prefix
// removed and fields joined by single spaces.
func outputLines(out, prefix string) []string {
	var res []string
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, prefix+" "); ok {
			res = append(res, strings.Join(strings.Fields(v), " "))
		}
	}
	return res
}

// startGethExample starts a go-ethereum p2p.Server on 127.0.0.1 with the
// given protocols and returns it with its peer events.
func startGethExample(t *testing.T, name string, protos ...p2p.Protocol) (*p2p.Server, chan *p2p.PeerEvent) {
	t.Helper()
	key, err := gethcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	srv := &p2p.Server{Config: p2p.Config{
		PrivateKey:  key,
		MaxPeers:    10,
		Name:        name,
		NoDiscovery: true,
		ListenAddr:  "127.0.0.1:0",
		Protocols:   protos,
		Logger:      gethlog.NewLogger(gethlog.DiscardHandler()),
	}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	events := make(chan *p2p.PeerEvent, 64)
	sub := srv.SubscribeEvents(events)
	t.Cleanup(func() {
		sub.Unsubscribe()
		srv.Stop()
	})
	return srv, events
}

// waitGethDrop returns the error text of geth's next peer drop event.
func waitGethDrop(t *testing.T, events <-chan *p2p.PeerEvent) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Type == p2p.PeerEventTypeDrop {
				return ev.Error
			}
		case <-timeout:
			t.Fatal("geth never dropped the peer")
		}
	}
}

func gethDrain(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		msg.Discard()
	}
}

func TestExamplePingGeth(t *testing.T) {
	bin := buildExample(t, "ping")
	srv, events := startGethExample(t, "geth-ping-target", p2p.Protocol{Name: "snap", Version: 1, Length: 8, Run: gethDrain})
	url := srv.Self().URLv4()

	code, out, errOut := runExample(t, bin, "-timeout", "10s", url)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	want := map[string]string{
		"node":   url,
		"client": `"geth-ping-target"`,
		"p2p":    "5",
		"caps":   "snap/1",
		"id":     srv.Self().ID().String(),
	}
	for name, w := range want {
		if got := outputLines(out, name); len(got) != 1 || got[0] != w {
			t.Errorf("%s: %q, want %q", name, got, w)
		}
	}
	if rtt := outputLines(out, "rtt"); len(rtt) != 1 {
		t.Errorf("rtt lines %q", rtt)
	} else if d, err := time.ParseDuration(rtt[0]); err != nil || d <= 0 {
		t.Errorf("rtt %q is not a positive duration", rtt[0])
	}
	t.Logf("output:\n%s", out)
	// geth saw us leave with "disconnect requested".
	if msg := waitGethDrop(t, events); msg != p2p.DiscRequested.Error() {
		t.Fatalf("geth dropped the peer with %q, want %q", msg, p2p.DiscRequested.Error())
	}
}

func TestExamplePingGethErrors(t *testing.T) {
	bin := buildExample(t, "ping")
	useless, _ := startGethExample(t, "geth-other", p2p.Protocol{Name: "other", Version: 1, Length: 1, Run: gethDrain})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	closed := strings.Split(useless.Self().URLv4(), "@")[0] + fmt.Sprintf("@127.0.0.1:%d", closedPort)

	tests := []struct{ name, url, want string }{
		{"refused", closed, "connection refused"},
		{"no shared capability", useless.Self().URLv4(), "remote disconnected: useless peer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runExample(t, bin, "-timeout", "5s", tt.url)
			if code != 1 || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want exit 1 and one line with %q\nstdout:\n%s", code, errOut, tt.want, out)
			}
		})
	}
}

// The eth messages as go-ethereum v1.17 lays them out (eth/protocols/eth).
type (
	gethForkID struct {
		Hash [4]byte
		Next uint64
	}
	gethStatus68 struct {
		ProtocolVersion uint32
		NetworkID       uint64
		TD              *big.Int
		Head            common.Hash
		Genesis         common.Hash
		ForkID          gethForkID
	}
	gethStatus69 struct {
		ProtocolVersion uint32
		NetworkID       uint64
		Genesis         common.Hash
		ForkID          gethForkID
		EarliestBlock   uint64
		LatestBlock     uint64
		LatestBlockHash common.Hash
	}
	gethHeadersQuery struct {
		Origin  uint64
		Amount  uint64
		Skip    uint64
		Reverse bool
	}
	gethIDList struct { // BlockHeaders, Receipts (eth/68-69), BlockAccessLists
		RequestID uint64
		List      []rlp.RawValue
	}
	gethReceipts70 struct {
		RequestID           uint64
		LastBlockIncomplete bool
		List                []rlp.RawValue
	}
	gethCells struct {
		RequestID uint64
		Hashes    []common.Hash
		Cells     []rlp.RawValue
		Mask      [16]byte
	}
)

var (
	ethGenesis = common.HexToHash("0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3")
	ethHead    = common.HexToHash("0x1234000000000000000000000000000000000000000000000000000000005678")
	ethFork    = gethForkID{Hash: [4]byte{0x9f, 0x3d, 0x22, 0x54}, Next: 1746612311}
	ethTD      = new(big.Int).SetUint64(58750003716598352)
	ethMask    = [16]byte{0xff, 0x00, 0xff, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
)

// gethEth is an eth-like protocol of the given version on the geth side:
// it sends a Status, checks ours the way go-ethereum's handshake does plus
// that it echoes network, genesis and fork ID, announces transactions, and
// sends each request its version knows, checking the empty answers and
// their request IDs. What it found wrong goes to errc.
func gethEth(version uint, length uint64, errc chan<- error) p2p.Protocol {
	return p2p.Protocol{Name: "eth", Version: version, Length: length, Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		err := gethEthSession(version, rw)
		errc <- err
		if err != nil {
			return err
		}
		return gethDrain(p, rw)
	}}
}

func gethEthSession(version uint, rw p2p.MsgReadWriter) error {
	var status any = &gethStatus69{uint32(version), 1, ethGenesis, ethFork, 15537394, 21000000, ethHead}
	if version < 69 {
		status = &gethStatus68{uint32(version), 1, ethTD, ethHead, ethGenesis, ethFork}
	}
	if err := p2p.Send(rw, 0x00, status); err != nil {
		return err
	}
	msg, err := rw.ReadMsg()
	if err != nil {
		return err
	}
	if msg.Code != 0x00 {
		return fmt.Errorf("first message has code %d", msg.Code)
	}
	if version < 69 {
		var s gethStatus68
		if err := msg.Decode(&s); err != nil {
			return fmt.Errorf("their status: %v", err)
		}
		if s.ProtocolVersion != uint32(version) || s.NetworkID != 1 || s.Genesis != ethGenesis || s.ForkID != ethFork {
			return fmt.Errorf("their status %+v is not compatible", s)
		}
	} else {
		var s gethStatus69
		if err := msg.Decode(&s); err != nil {
			return fmt.Errorf("their status: %v", err)
		}
		if s.ProtocolVersion != uint32(version) || s.NetworkID != 1 || s.Genesis != ethGenesis || s.ForkID != ethFork ||
			s.EarliestBlock > s.LatestBlock || s.LatestBlockHash == (common.Hash{}) {
			return fmt.Errorf("their status %+v is not compatible", s)
		}
	}

	// Transactions announcement: [types, sizes, hashes].
	if err := p2p.Send(rw, 0x08, []any{[]byte{2}, []uint32{120}, []common.Hash{{1}}}); err != nil {
		return err
	}
	var headers gethIDList
	if err := gethRequest(rw, 0x03, []any{uint64(7), gethHeadersQuery{Origin: 100, Amount: 10}}, 0x04, &headers); err != nil {
		return err
	}
	if headers.RequestID != 7 || len(headers.List) != 0 {
		return fmt.Errorf("BlockHeaders %+v, want id 7 and no headers", headers)
	}
	if version < 70 {
		var receipts gethIDList
		if err := gethRequest(rw, 0x0f, []any{uint64(8), []common.Hash{ethHead}}, 0x10, &receipts); err != nil {
			return err
		}
		if receipts.RequestID != 8 || len(receipts.List) != 0 {
			return fmt.Errorf("Receipts %+v, want id 8 and none", receipts)
		}
	} else {
		var receipts gethReceipts70
		if err := gethRequest(rw, 0x0f, []any{uint64(8), uint64(0), []common.Hash{ethHead}}, 0x10, &receipts); err != nil {
			return err
		}
		if receipts.RequestID != 8 || receipts.LastBlockIncomplete || len(receipts.List) != 0 {
			return fmt.Errorf("Receipts %+v, want id 8, complete, none", receipts)
		}
	}
	if version >= 71 {
		var bals gethIDList
		if err := gethRequest(rw, 0x12, []any{uint64(9), []common.Hash{ethHead}}, 0x13, &bals); err != nil {
			return err
		}
		if bals.RequestID != 9 || len(bals.List) != 0 {
			return fmt.Errorf("BlockAccessLists %+v, want id 9 and none", bals)
		}
	}
	if version >= 72 {
		var cells gethCells
		if err := gethRequest(rw, 0x14, []any{uint64(10), []common.Hash{{2}}, ethMask}, 0x15, &cells); err != nil {
			return err
		}
		if cells.RequestID != 10 || len(cells.Hashes) != 0 || len(cells.Cells) != 0 || cells.Mask != ethMask {
			return fmt.Errorf("Cells %+v, want id 10, none, the request's mask", cells)
		}
	}
	return nil
}

// gethRequest sends a request and decodes the answer, which must carry
// respCode.
func gethRequest(rw p2p.MsgReadWriter, code uint64, req any, respCode uint64, resp any) error {
	if err := p2p.Send(rw, code, req); err != nil {
		return err
	}
	msg, err := rw.ReadMsg()
	if err != nil {
		return err
	}
	if msg.Code != respCode {
		return fmt.Errorf("answer to 0x%02x has code 0x%02x, want 0x%02x", code, msg.Code, respCode)
	}
	if err := msg.Decode(resp); err != nil {
		return fmt.Errorf("answer to 0x%02x: %v", code, err)
	}
	return nil
}

func TestExampleEthStatusGeth(t *testing.T) {
	bin := buildExample(t, "ethstatus")
	lengths := map[uint]uint64{68: 17, 69: 18, 70: 18, 71: 20, 72: 22}
	tests := []struct {
		name     string
		versions []uint
		want     uint
		requests []string // request lines in the counts, besides GetBlockHeaders and GetReceipts
	}{
		{"geth v1.17 (eth/69-72)", []uint{72, 71, 70, 69}, 72, []string{"0x12 GetBlockAccessLists 1", "0x14 GetCells 1"}},
		{"eth/69 only", []uint{69}, 69, nil},
		{"eth/70 only", []uint{70}, 70, nil},
		{"older geth (eth/68)", []uint{68}, 68, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errc := make(chan error, len(tt.versions))
			var protos []p2p.Protocol
			for _, v := range tt.versions {
				protos = append(protos, gethEth(v, lengths[v], errc))
			}
			srv, events := startGethExample(t, "geth-eth-target", protos...)
			code, out, errOut := runExample(t, bin, "-duration", "500ms", srv.Self().URLv4())
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			select {
			case err := <-errc:
				if err != nil {
					t.Fatalf("geth side: %v\nstdout:\n%s", err, out)
				}
			default:
				t.Fatalf("geth's eth protocol never ran\nstdout:\n%s", out)
			}

			received := append([]string{
				"0x00 Status 1",
				"0x03 GetBlockHeaders 1",
				"0x08 NewPooledTransactionHashes 1",
				"0x0f GetReceipts 1",
			}, tt.requests...)
			want := map[string][]string{
				"client":   {`"geth-eth-target"`},
				"version":  {fmt.Sprintf("eth/%d", tt.want)},
				"network":  {"1"},
				"genesis":  {ethGenesis.Hex()},
				"forkid":   {"0x9f3d2254 next 1746612311"},
				"received": received,
				"answered": {fmt.Sprintf("%d requests", 2+len(tt.requests))},
			}
			if tt.want < 69 {
				want["head"] = []string{ethHead.Hex() + " td " + ethTD.String()}
			} else {
				want["head"] = []string{ethHead.Hex() + " number 21000000"}
				want["history"] = []string{"blocks 15537394-21000000"}
			}
			for prefix, w := range want {
				if got := outputLines(out, prefix); strings.Join(got, "|") != strings.Join(w, "|") {
					t.Errorf("%s lines %q, want %q", prefix, got, w)
				}
			}
			t.Logf("output:\n%s", out)
			if msg := waitGethDrop(t, events); msg != p2p.DiscRequested.Error() {
				t.Fatalf("geth dropped the peer with %q, want %q", msg, p2p.DiscRequested.Error())
			}
		})
	}
}

func TestExampleEthStatusGethErrors(t *testing.T) {
	bin := buildExample(t, "ethstatus")
	noEth, _ := startGethExample(t, "geth-snap-only", p2p.Protocol{Name: "snap", Version: 1, Length: 8, Run: gethDrain})
	rejects, _ := startGethExample(t, "geth-rejects", p2p.Protocol{Name: "eth", Version: 69, Length: 18,
		Run: func(*p2p.Peer, p2p.MsgReadWriter) error { return p2p.DiscUselessPeer }})
	tests := []struct{ name, url, want string }{
		{"no eth", noEth.Self().URLv4(), "speaks no eth version"},
		{"geth disconnects", rejects.Self().URLv4(), "remote disconnected: useless peer"},
		{"refused", strings.Split(noEth.Self().URLv4(), "@")[0] + "@127.0.0.1:1", "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runExample(t, bin, "-timeout", "5s", tt.url)
			if code != 1 || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want exit 1 and one line with %q\nstdout:\n%s", code, errOut, tt.want, out)
			}
		})
	}
}

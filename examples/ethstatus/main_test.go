package main

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlp"
	"github.com/devp2p-go/devp2p/server"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "ethstatus")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func runBinary(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee := new(exec.ExitError); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// testNode is the status the fake eth node announces.
var testNode = Status{
	NetworkID:       11155111,
	Genesis:         [32]byte{0x25, 0xa5, 0xcc},
	ForkID:          ForkID{Hash: [4]byte{0xed, 0x88, 0xb5, 0xfd}, Next: 1742999832},
	EarliestBlock:   0,
	LatestBlock:     4242,
	LatestBlockHash: [32]byte{0xbe, 0xef},
}

// fakeEth is the node side of eth for the tests: it sends its Status,
// checks ours, asks for headers and receipts, announces two transaction
// batches and then waits for the end. What it found wrong goes to errc.
func fakeEth(version uint, length uint64, errc chan<- error) peer.Protocol {
	return peer.Protocol{Name: "eth", Version: version, Length: length, Run: func(_ *peer.Peer, rw peer.MsgReadWriter) error {
		err := func() error {
			st := testNode
			st.Version = uint64(version)
			if version < 69 {
				st.TD, st.Head = bigTD, st.LatestBlockHash
			}
			enc, err := encodeStatus(&st)
			if err != nil {
				return err
			}
			if err := rw.WriteMsg(peer.NewMsg(statusMsg, enc)); err != nil {
				return err
			}
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			b, _ := msg.Bytes()
			ours, err := decodeStatus(version, b)
			if msg.Code != statusMsg || err != nil {
				return fmt.Errorf("their status: code %d, %v", msg.Code, err)
			}
			if ours.NetworkID != st.NetworkID || ours.Genesis != st.Genesis || ours.ForkID != st.ForkID {
				return fmt.Errorf("their status %+v does not match ours", ours)
			}
			for i := 0; i < 2; i++ {
				if err := peer.Send(rw, transactionsMsg, []rlp.RawValue{}); err != nil {
					return err
				}
			}
			if err := request(rw, getBlockHeadersMsg, blockHeadersMsg, 7, "c2 07 c0", uint64(1), uint64(10), uint64(0), false); err != nil {
				return err
			}
			want := "c2 08 c0"
			if version >= 70 {
				want = "c3 08 80 c0"
				return request(rw, getReceiptsMsg, receiptsMsg, 8, want, uint64(0), []rlp.RawValue{})
			}
			return request(rw, getReceiptsMsg, receiptsMsg, 8, want, []rlp.RawValue{})
		}()
		errc <- err
		if err != nil {
			return err
		}
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			msg.Discard()
		}
	}}
}

// bigTD is the total difficulty the fake eth/68 node announces.
var bigTD = newBig("123456789012345678901234")

// request sends [id, fields...] with code and checks the response.
func request(rw peer.MsgReadWriter, code, respCode, id uint64, want string, fields ...any) error {
	if err := peer.SendItems(rw, code, append([]any{id}, fields...)...); err != nil {
		return err
	}
	msg, err := rw.ReadMsg()
	if err != nil {
		return err
	}
	b, _ := msg.Bytes()
	wantB := mustHex(want)
	if msg.Code != respCode || !bytes.Equal(b, wantB) {
		return fmt.Errorf("answer to %s: code 0x%02x %x, want 0x%02x %x", msgName(code), msg.Code, b, respCode, wantB)
	}
	return nil
}

func startNode(t *testing.T, protos ...peer.Protocol) (*server.Server, <-chan server.PeerEvent) {
	t.Helper()
	key, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{
		PrivateKey:  key,
		Name:        "fake-eth-node",
		Protocols:   protos,
		ListenAddr:  "127.0.0.1:0",
		NoDiscovery: true,
		NoDial:      true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	events := make(chan server.PeerEvent, 16)
	unsub := srv.SubscribeEvents(events)
	t.Cleanup(func() {
		unsub()
		srv.Close()
	})
	return srv, events
}

// lines returns the output lines starting with prefix, prefix removed and
// fields joined by single spaces.
func lines(out, prefix string) []string {
	var res []string
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, prefix+" "); ok {
			res = append(res, strings.Join(strings.Fields(v), " "))
		}
	}
	return res
}

func TestEthStatusServer(t *testing.T) {
	bin := buildBinary(t)
	tests := []struct {
		name    string
		offered []uint
		want    uint
	}{
		{"eth/68 node", []uint{68}, 68},
		{"eth/69 node", []uint{69}, 69},
		{"eth/69-70 node", []uint{69, 70}, 70},
		{"eth/69-72 node", []uint{69, 70, 71, 72}, 72},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errc := make(chan error, 4)
			var protos []peer.Protocol
			for _, v := range versions {
				for _, o := range tt.offered {
					if v.version == o {
						protos = append(protos, fakeEth(v.version, v.length, errc))
					}
				}
			}
			srv, events := startNode(t, protos...)
			code, out, errOut := runBinary(t, bin, "-duration", "500ms", srv.Self().URLv4())
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			select {
			case err := <-errc:
				if err != nil {
					t.Fatalf("node side: %v", err)
				}
			default:
				t.Fatal("the node's eth protocol never ran")
			}

			want := map[string][]string{
				"client":  {`"fake-eth-node"`},
				"version": {fmt.Sprintf("eth/%d", tt.want)},
				"network": {"11155111"},
				"genesis": {fmt.Sprintf("0x%x", testNode.Genesis)},
				"forkid":  {"0xed88b5fd next 1742999832"},
				"received": {
					"0x00 Status 1",
					"0x02 Transactions 2",
				},
				"answered": {"2 requests"},
			}
			if tt.want < 69 {
				want["head"] = []string{fmt.Sprintf("0x%x td %v", testNode.LatestBlockHash, bigTD)}
			} else {
				want["head"] = []string{fmt.Sprintf("0x%x number 4242", testNode.LatestBlockHash)}
				want["history"] = []string{"blocks 0-4242"}
			}
			// The requests are counted too.
			want["received"] = append(want["received"][:2], "0x03 GetBlockHeaders 1", "0x0f GetReceipts 1")
			for prefix, w := range want {
				got := lines(out, prefix)
				if prefix == "received" {
					sortStrings(got)
					sortStrings(w)
				}
				if strings.Join(got, "|") != strings.Join(w, "|") {
					t.Errorf("%s lines %q, want %q", prefix, got, w)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
			waitDrop(t, events, peer.DiscRequested)
		})
	}
}

func TestEthStatusErrors(t *testing.T) {
	bin := buildBinary(t)
	noEth, _ := startNode(t, peer.Protocol{Name: "snap", Version: 1, Length: 8, Run: func(*peer.Peer, peer.MsgReadWriter) error {
		return peer.DiscUselessPeer
	}})
	notStatus, _ := startNode(t, peer.Protocol{Name: "eth", Version: 69, Length: 18, Run: func(_ *peer.Peer, rw peer.MsgReadWriter) error {
		peer.Send(rw, transactionsMsg, []rlp.RawValue{})
		_, err := rw.ReadMsg()
		return err
	}})
	refuses, _ := startNode(t, peer.Protocol{Name: "eth", Version: 70, Length: 18, Run: func(*peer.Peer, peer.MsgReadWriter) error {
		return peer.DiscTooManyPeers
	}})
	silent, _ := startNode(t, peer.Protocol{Name: "eth", Version: 71, Length: 20, Run: func(_ *peer.Peer, rw peer.MsgReadWriter) error {
		for {
			if _, err := rw.ReadMsg(); err != nil {
				return err
			}
		}
	}})
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"no eth", []string{noEth.Self().URLv4()}, 1, "speaks no eth version"},
		{"no status", []string{notStatus.Self().URLv4()}, 1, "first message is not status"},
		{"remote disconnects", []string{refuses.Self().URLv4()}, 1, "remote disconnected: too many peers"},
		{"no status in time", []string{"-timeout", "1s", silent.Self().URLv4()}, 1, "no eth Status"},
		{"refused", []string{strings.Split(noEth.Self().URLv4(), "@")[0] + "@127.0.0.1:1"}, 1, "connection refused"},
		{"no node", nil, 2, "want exactly one enode URL"},
		{"bad duration", []string{"-duration", "-1s", noEth.Self().URLv4()}, 2, "-duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runBinary(t, bin, tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, tt.want, out, errOut)
			}
			if strings.Count(errOut, "\n") != 1 {
				t.Fatalf("stderr has %d lines, want one:\n%s", strings.Count(errOut, "\n"), errOut)
			}
		})
	}
}

func waitDrop(t *testing.T, events <-chan server.PeerEvent, want peer.DiscReason) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Type == server.PeerDropped {
				if ev.Reason != want {
					t.Fatalf("peer dropped with %v (%v), want %v", ev.Reason, ev.Err, want)
				}
				return
			}
		case <-timeout:
			t.Fatal("the node never reported the drop")
		}
	}
}

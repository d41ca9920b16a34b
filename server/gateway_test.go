package server

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nat"
)

// The real-gateway test runs miniupnpd (a UPnP IGD and NAT-PMP server) in
// network namespaces it creates:
//
//	LAN host ns              gateway ns (miniupnpd)          WAN ns
//	192.168.77.2 ── veth ── 192.168.77.1 | 11.0.0.2 ── veth ── 11.0.0.1
//
// The LAN host's default route goes via the gateway, which SSDP's
// multicast search needs. 11.0.0.2 is a public-looking address because
// miniupnpd refuses reserved ones; it exists only inside these
// namespaces, which lead nowhere. The server under test runs in the LAN
// namespace: the test binary re-executes itself there (a goroutine's
// setns would not follow the sockets other goroutines open).

const (
	natChildEnv     = "DEVP2P_NAT_GATEWAY_CHILD" // the nat spec, in the child
	natChildPortEnv = "DEVP2P_NAT_GATEWAY_PORT"  // the child's fixed listening port, if set
	gwLANIP         = "192.168.77.1"
	hostLANIP       = "192.168.77.2"
	otherLANIP      = "192.168.77.3" // a LAN host that exists only in the gateway's table
	gwWANIP         = "11.0.0.2"
)

// testGateway is the namespaces and the running miniupnpd.
type testGateway struct {
	gw, lan, wan string // namespace names
	descURL      string
}

// needGateway sets up the namespaces and starts miniupnpd, or skips the
// test when it cannot run here: not root, no network namespaces, or (on a
// developer's machine) the programs not installed. With
// DEVP2P_REQUIRE_GATEWAY set, as .ci/run sets it after installing them,
// missing programs are a failure instead.
func needGateway(t *testing.T) *testGateway {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces (ip netns) and run miniupnpd")
	}
	for _, prog := range []string{"ip", "nft", "miniupnpd", "upnpc"} {
		if _, err := exec.LookPath(prog); err != nil {
			if prog == "ip" {
				t.Skip("no ip(8): cannot create network namespaces")
			}
			if os.Getenv("DEVP2P_REQUIRE_GATEWAY") != "" {
				t.Fatalf("%s not installed (Debian: miniupnpd-nftables, miniupnpc, nftables); .ci/run installs them", prog)
			}
			t.Skipf("%s not installed (Debian: miniupnpd-nftables, miniupnpc, nftables; .ci/run installs them)", prog)
		}
	}
	var sfx [3]byte
	rand.Read(sfx[:])
	id := hex.EncodeToString(sfx[:])
	g := &testGateway{gw: "dp2p-gw-" + id, lan: "dp2p-lan-" + id, wan: "dp2p-wan-" + id, descURL: "http://" + gwLANIP + ":5000/rootDesc.xml"}
	if out, err := exec.Command("ip", "netns", "add", g.gw).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace: %v: %s", err, out)
	}
	t.Cleanup(func() {
		for _, ns := range []string{g.gw, g.lan, g.wan} {
			exec.Command("ip", "netns", "del", ns).Run() // also removes the veths
		}
	})
	lanIf, gwLanIf, wanIf, gwWanIf := "dl"+id, "gl"+id, "dw"+id, "gw"+id
	sh(t, "ip", "netns", "add", g.lan)
	sh(t, "ip", "netns", "add", g.wan)
	sh(t, "ip", "link", "add", lanIf, "type", "veth", "peer", "name", gwLanIf)
	sh(t, "ip", "link", "set", lanIf, "netns", g.lan)
	sh(t, "ip", "link", "set", gwLanIf, "netns", g.gw)
	sh(t, "ip", "link", "add", wanIf, "type", "veth", "peer", "name", gwWanIf)
	sh(t, "ip", "link", "set", wanIf, "netns", g.wan)
	sh(t, "ip", "link", "set", gwWanIf, "netns", g.gw)
	for _, c := range [][]string{
		{g.gw, "addr", "add", gwLANIP + "/24", "dev", gwLanIf},
		{g.gw, "addr", "add", gwWANIP + "/24", "dev", gwWanIf},
		{g.gw, "link", "set", gwLanIf, "up"},
		{g.gw, "link", "set", gwWanIf, "up"},
		{g.gw, "link", "set", "lo", "up"},
		{g.gw, "route", "add", "default", "via", "11.0.0.1"},
		{g.wan, "addr", "add", "11.0.0.1/24", "dev", wanIf},
		{g.wan, "link", "set", wanIf, "up"},
		{g.lan, "addr", "add", hostLANIP + "/24", "dev", lanIf},
		{g.lan, "link", "set", lanIf, "up"},
		{g.lan, "link", "set", "lo", "up"},
		{g.lan, "route", "add", "default", "via", gwLANIP},
	} {
		sh(t, append([]string{"ip", "-n"}, c...)...)
	}
	// miniupnpd records mappings only as nftables rules, in these chains;
	// without them UPnP answers 501 and NAT-PMP result 3.
	nft := exec.Command("ip", "netns", "exec", g.gw, "nft", "-f", "-")
	nft.Stdin = strings.NewReader(`table inet filter {
  chain miniupnpd { }
  chain prerouting_miniupnpd { type nat hook prerouting priority dstnat; policy accept; }
  chain postrouting_miniupnpd { type nat hook postrouting priority srcnat; policy accept; }
}
`)
	if out, err := nft.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v: %s", err, out)
	}

	dir := t.TempDir()
	conf := filepath.Join(dir, "miniupnpd.conf")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(`ext_ifname=%s
listening_ip=%s
port=5000
enable_natpmp=yes
enable_upnp=yes
secure_mode=no
system_uptime=yes
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b
allow 1024-65535 192.168.77.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
`, gwWanIf, gwLanIf)), 0o600))
	startMiniupnpd(t, g, conf, filepath.Join(dir, "miniupnpd.pid"))
	return g
}

// startMiniupnpd runs miniupnpd in the foreground in the gateway
// namespace and waits until it listens. Its log is shown if the test fails.
func startMiniupnpd(t *testing.T, g *testGateway, conf, pidfile string) {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", g.gw, "miniupnpd", "-d", "-f", conf, "-P", pidfile)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	require.NoError(t, cmd.Start())
	var (
		mu  sync.Mutex
		log bytes.Buffer
		wg  sync.WaitGroup
	)
	ready := make(chan struct{})
	wg.Go(func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			mu.Lock()
			log.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.Contains(sc.Text(), "Listening for NAT-PMP") {
				close(ready)
			}
		}
	})
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		pw.Close()
		wg.Wait()
		if t.Failed() {
			t.Logf("miniupnpd log:\n%s", log.String())
		}
	})
	select {
	case <-ready:
	case <-time.After(waitTimeout):
		t.Fatal("miniupnpd did not start")
	}
}

// sh runs a command and fails the test if it fails.
func sh(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// upnpcMapping is one line of `upnpc -l`.
type upnpcMapping struct {
	proto          nat.Protocol
	ext, internal  uint16
	internalClient string
}

var upnpcLine = regexp.MustCompile(`^\s*\d+\s+(TCP|UDP)\s+(\d+)->([0-9.]+):(\d+)\s`)

// mappings lists the gateway's mappings as its own client sees them.
func (g *testGateway) mappings(t *testing.T) []upnpcMapping {
	t.Helper()
	out := sh(t, "ip", "netns", "exec", g.lan, "upnpc", "-u", g.descURL, "-l")
	var ms []upnpcMapping
	for _, line := range strings.Split(out, "\n") {
		m := upnpcLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		ext, _ := strconv.Atoi(m[2])
		in, _ := strconv.Atoi(m[4])
		ms = append(ms, upnpcMapping{proto: nat.Protocol(m[1]), ext: uint16(ext), internalClient: m[3], internal: uint16(in)})
	}
	return ms
}

// TestNATRealGateway maps a server's ports through miniupnpd with UPnP
// and with NAT-PMP, checks the gateway's own listing and our record, and
// checks that Close removes the mappings.
func TestNATRealGateway(t *testing.T) {
	g := needGateway(t)
	tests := []struct {
		name, spec string
		// taken, if set, is an external port mapped (TCP and UDP) to
		// another LAN host before the server starts listening on the
		// same port number: the gateway must give the server other
		// external ports. (miniupnpd would silently replace a mapping
		// of our own host.)
		taken uint16
	}{
		{"upnp", "upnp", 0},
		{"pmp", "pmp", 0},
		{"pmp:gateway", "pmp:" + gwLANIP, 0},
		{"any", "any", 0},
		{"upnp port taken", "upnp", 30399},
		{"pmp port taken", "pmp:" + gwLANIP, 30399},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Empty(t, g.mappings(t))
			child := exec.Command("ip", "netns", "exec", g.lan, os.Args[0], "-test.run=^TestNATGatewayChild$", "-test.count=1")
			child.Env = append(os.Environ(), natChildEnv+"="+tt.spec)
			var preset []upnpcMapping
			if tt.taken != 0 {
				port := strconv.Itoa(int(tt.taken))
				for _, proto := range []string{"TCP", "UDP"} {
					sh(t, "ip", "netns", "exec", g.lan, "upnpc", "-u", g.descURL, "-a", otherLANIP, "31000", port, proto, "600")
					defer sh(t, "ip", "netns", "exec", g.lan, "upnpc", "-u", g.descURL, "-d", port, proto)
				}
				preset = g.mappings(t)
				require.Len(t, preset, 2)
				child.Env = append(child.Env, natChildPortEnv+"="+port)
			}
			stdin, err := child.StdinPipe()
			require.NoError(t, err)
			stdout, err := child.StdoutPipe()
			require.NoError(t, err)
			var stderr bytes.Buffer
			child.Stderr = &stderr
			require.NoError(t, child.Start())
			defer func() {
				child.Process.Kill()
				child.Wait()
				if t.Failed() {
					t.Logf("child stderr:\n%s", stderr.String())
				}
			}()
			lines := make(chan string, 16)
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- sc.Text()
				}
			}()
			next := func(prefix string) string {
				t.Helper()
				timer := time.NewTimer(waitTimeout)
				defer timer.Stop()
				for {
					select {
					case l, ok := <-lines:
						if !ok {
							t.Fatalf("child ended before %q", prefix)
						}
						if rest, ok := strings.CutPrefix(l, prefix); ok {
							return rest
						}
					case <-timer.C:
						t.Fatalf("no %q from the child within %v", prefix, waitTimeout)
					}
				}
			}

			rec := next("ENR ")
			n, err := discover.ParseNode(rec)
			require.NoError(t, err)
			require.Equal(t, netip.MustParseAddr(gwWANIP), n.IP(), "record advertises the gateway's external address")

			ms := without(g.mappings(t), preset)
			t.Logf("record %v; gateway lists %+v", n, ms)
			require.Len(t, ms, 2, "%+v", ms)
			byProto := map[nat.Protocol]upnpcMapping{}
			for _, m := range ms {
				require.Equal(t, hostLANIP, m.internalClient)
				byProto[m.proto] = m
				if tt.taken != 0 {
					require.Equal(t, tt.taken, m.internal, "listening port")
					require.NotEqual(t, tt.taken, m.ext, "the gateway had to give another port")
				}
			}
			require.Equal(t, byProto[nat.TCP].ext, n.TCP(), "record's tcp is the mapped port")
			require.Equal(t, byProto[nat.UDP].ext, n.UDP(), "record's udp is the mapped port")
			require.Equal(t, "LISTEN "+strconv.Itoa(int(byProto[nat.TCP].internal)), "LISTEN "+next("TCP "))

			io.WriteString(stdin, "close\n")
			next("CLOSED")
			require.NoError(t, child.Wait())
			require.Equal(t, preset, g.mappings(t), "mappings left after Close")
		})
	}
}

// without returns the mappings in ms that are not in old.
func without(ms, old []upnpcMapping) []upnpcMapping {
	var out []upnpcMapping
	for _, m := range ms {
		if !slices.Contains(old, m) {
			out = append(out, m)
		}
	}
	return out
}

// TestNATGatewayChild is the server side of TestNATRealGateway, run by it
// inside the LAN namespace. It prints its record and listening port,
// waits for "close" on stdin, closes the server and says so.
func TestNATGatewayChild(t *testing.T) {
	spec := os.Getenv(natChildEnv)
	if spec == "" {
		t.Skip("runs only inside TestNATRealGateway's LAN namespace")
	}
	n, err := nat.Parse(spec)
	require.NoError(t, err)
	port := "0"
	if p := os.Getenv(natChildPortEnv); p != "" {
		port = p
	}
	srv, err := New(Config{
		PrivateKey: testKey(t),
		ListenAddr: "0.0.0.0:" + port,
		NoDial:     true,
		NAT:        n,
		Logger:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	text, err := srv.Self().Record().MarshalText()
	require.NoError(t, err)
	fmt.Printf("ENR %s\nTCP %d\n", text, srv.listener.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port())
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() && sc.Text() != "close" {
	}
	srv.Close()
	fmt.Println("CLOSED")
}

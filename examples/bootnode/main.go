// Command bootnode runs a discovery-only devp2p node: a discv4 transport and
// Kademlia table that other nodes use to find each other. With -v5 it also
// runs discv5 on the same UDP port, sharing the table. It prints its
// enode:// URL on the first line of standard output (and with -v5 its enr:
// record on the second) and runs until it receives SIGINT or SIGTERM.
//
// Usage:
//
//	bootnode [-key <hex> | -keyfile <path>] [-addr 127.0.0.1:30301] [-v5]
//	         [-bootnodes <enode or enr>,...] [-nodedb <dir>] [-verbose]
//	         [-nat none|any|upnp|pmp|pmp:<gateway>|extip:<ip>|stun:<host:port>]
//	         [-metrics 127.0.0.1:6060]
//
// With -nat the UDP port is mapped on the gateway (kept renewed, removed
// at exit) before the URL is printed, so the URL shows the external
// address and port.
//
// With -v5, the bootnodes also bootstrap discv5.
//
// The key file holds 64 hex characters, as go-ethereum's nodekey file does.
// Without -key or -keyfile a fresh key is generated.
//
// With -metrics, the discovery metrics (packets by type, dropped packets,
// lookups, table size) are served in the Prometheus text format at
// /metrics on that address, and the Go profiler at /debug/pprof/; the
// line after the URL (and after the record, with -v5) is then
// "metrics <URL>".
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/examples/internal/metricsrv"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nat"
	"github.com/devp2p-go/devp2p/nodekey"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bootnode:", err)
		os.Exit(1)
	}
}

// run is the whole command; it returns when ctx is cancelled.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bootnode", flag.ContinueOnError)
	var (
		keyHex    = fs.String("key", "", "node key as 64 hex characters")
		keyFile   = fs.String("keyfile", "", "file holding the node key as 64 hex characters")
		addr      = fs.String("addr", "127.0.0.1:30301", "UDP listen address")
		bootnodes = fs.String("bootnodes", "", "comma-separated enode:// or enr: nodes to bootstrap from")
		nodeDB    = fs.String("nodedb", "", "directory of the node database (in memory when empty)")
		verbose   = fs.Bool("verbose", false, "log discovery events to stderr")
		natSpec   = fs.String("nat", "none", "port mapping / external address: none, any, upnp, pmp, pmp:<gateway>, extip:<ip>, stun:<host:port>")
		v5        = fs.Bool("v5", false, "also run discv5 on the same port")
		metricsAt = fs.String("metrics", "", "serve /metrics and /debug/pprof/ on this TCP address (e.g. 127.0.0.1:6060)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	key, err := nodekey.FromFlags(*keyHex, *keyFile)
	if err != nil {
		return err
	}
	boot, err := parseNodes(*bootnodes)
	if err != nil {
		return err
	}
	natIface, err := nat.Parse(*natSpec)
	if err != nil {
		return fmt.Errorf("-nat: %w", err)
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	reg := metrics.NewRegistry()
	m, err := metrics.NewDiscovery(reg)
	if err != nil {
		return err
	}
	cfg := discover.Config{Bootnodes: boot, Logger: log, Metrics: m}
	if *v5 {
		cfg.V5.Enable = true
		cfg.V5.Bootnodes = boot
	}
	if *nodeDB != "" {
		if err := os.MkdirAll(*nodeDB, 0o700); err != nil {
			return err
		}
		db, err := discover.OpenDB(filepath.Join(*nodeDB, "nodes.db"))
		if err != nil {
			return err
		}
		defer db.Close()
		cfg.NodeDB = db
	}

	udpAddr, err := net.ResolveUDPAddr("udp", *addr)
	if err != nil {
		return err
	}
	conn, err := net.ListenUDP("udp", udpAddr)
	if err != nil {
		return err
	}
	bound := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	ln := discover.NewLocalNode(key, cfg.NodeDB)
	ip := bound.Addr().Unmap()
	if ip.IsUnspecified() {
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	ln.SetIP(ip)
	ln.SetUDP(bound.Port())
	cfg.LocalNode = ln
	node, err := discover.Listen(conn, key, cfg)
	if err != nil {
		conn.Close()
		return err
	}
	defer node.Close()
	if natIface != nil {
		stopNAT := keepMapped(ctx, natIface, ln, bound, log)
		defer stopNAT()
	}
	fmt.Fprintln(stdout, node.Self().URLv4())
	if *v5 {
		text, err := node.Self().Record().MarshalText()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(text))
	}
	if *metricsAt != "" {
		ms, err := metricsrv.Start(*metricsAt, reg)
		if err != nil {
			return fmt.Errorf("-metrics: %w", err)
		}
		defer ms.Close()
		fmt.Fprintln(stdout, "metrics", ms.URL())
	}

	<-ctx.Done()
	log.Info("bootnode: shutting down")
	return nil
}

func parseNodes(list string) ([]*discover.Node, error) {
	var nodes []*discover.Node
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := discover.ParseNode(s)
		if err != nil {
			return nil, fmt.Errorf("bootnode %q: %w", s, err)
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

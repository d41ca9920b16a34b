// Command bootnode runs a discovery-only devp2p node: a discv4 transport and
// Kademlia table that other nodes use to find each other. It prints its
// enode:// URL on the first line of standard output and runs until it
// receives SIGINT or SIGTERM.
//
// Usage:
//
//	bootnode [-key <hex> | -keyfile <path>] [-addr 127.0.0.1:30301]
//	         [-bootnodes <enode or enr>,...] [-nodedb <dir>] [-verbose]
//	         [-metrics 127.0.0.1:6060]
//
// The key file holds 64 hex characters, as go-ethereum's nodekey file does.
// Without -key or -keyfile a fresh key is generated.
//
// With -metrics, the discovery metrics (packets by type, dropped packets,
// lookups, table size) are served in the Prometheus text format at
// /metrics on that address, and the Go profiler at /debug/pprof/; the
// second line of standard output is then "metrics <URL>".
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/examples/internal/metricsrv"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodekey"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bootnode:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("bootnode", flag.ContinueOnError)
	var (
		keyHex    = fs.String("key", "", "node key as 64 hex characters")
		keyFile   = fs.String("keyfile", "", "file holding the node key as 64 hex characters")
		addr      = fs.String("addr", "127.0.0.1:30301", "UDP listen address")
		bootnodes = fs.String("bootnodes", "", "comma-separated enode:// or enr: nodes to bootstrap from")
		nodeDB    = fs.String("nodedb", "", "directory of the node database (in memory when empty)")
		verbose   = fs.Bool("verbose", false, "log discovery events to stderr")
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
	node, err := discover.Listen(conn, key, cfg)
	if err != nil {
		conn.Close()
		return err
	}
	defer node.Close()
	fmt.Println(node.Self().URLv4())
	if *metricsAt != "" {
		ms, err := metricsrv.Start(*metricsAt, reg)
		if err != nil {
			return fmt.Errorf("-metrics: %w", err)
		}
		defer ms.Close()
		fmt.Println("metrics", ms.URL())
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
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

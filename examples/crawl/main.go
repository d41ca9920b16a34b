// Command crawl walks the discv4 network (or with -v5 the discv5 network)
// and lists the nodes it finds.
//
// Starting from -bootnodes, and from the nodes of the EIP-1459 DNS trees
// given with -dns (read through -dns-server when set), it runs random
// lookups (RandomNodes of discv4, or of discv5 with -v5, mixed fairly with the trees' nodes) for
// -duration, verifies every distinct node it hears of by asking for its
// record (EIP-868) or, failing that, pinging it, and finally writes each
// verified node as one JSON line to standard output or to -out:
//
//	{"id":"…","enode":"enode://…","enr":"enr:-…","ip":"203.0.113.7","tcp":30303,"udp":30303,"seq":7,
//	 "firstSeen":"2026-11-23T22:00:01Z","lastSeen":"2026-11-23T22:00:09Z"}
//
// ("enr" and "seq" are left out for nodes that answered a ping but served
// no record). Every -progress interval a line on standard error tells how
// many nodes were seen and verified and how many queries are in flight.
//
// Usage:
//
//	go run ./examples/crawl (-bootnodes <enode or enr>,… | -dns enrtree://…,…)
//	     [-dns-server host:port] [-duration 30s]
//	     [-addr 0.0.0.0:0] [-key <hex> | -keyfile <path>] [-out nodes.jsonl]
//	     [-progress 5s] [-workers 16] [-v5] [-v]
//
// With -v5 records are fetched with FINDNODE at distance 0.
//
// SIGINT ends the crawl early; the nodes verified so far are still written.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/dnsdisc"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/nodekey"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "crawl:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "crawl:", err)
		os.Exit(1)
	}
}

// usageError marks command-line mistakes, which exit with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func usage(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

type options struct {
	bootnodes []*discover.Node
	dns       []string
	dnsServer string
	duration  time.Duration
	progress  time.Duration
	addr      string
	out       string
	workers   int
	keyHex    string
	keyFile   string
	verbose   bool
	v5        bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		o         options
		bootnodes = fs.String("bootnodes", "", "comma-separated enode:// or enr: nodes to start from")
		dnsTrees  = fs.String("dns", "", "comma-separated enrtree:// URLs of DNS node lists to start from")
	)
	fs.StringVar(&o.dnsServer, "dns-server", "", "DNS server for -dns, as host:port (default: the system's)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long to crawl")
	fs.DurationVar(&o.progress, "progress", 5*time.Second, "interval of the progress lines on stderr")
	fs.StringVar(&o.addr, "addr", "0.0.0.0:0", "UDP listen address")
	fs.StringVar(&o.out, "out", "", "file to write the JSON lines to (default: stdout)")
	fs.IntVar(&o.workers, "workers", 16, "nodes verified concurrently")
	fs.StringVar(&o.keyHex, "key", "", "node key as 64 hex characters (default: a fresh key)")
	fs.StringVar(&o.keyFile, "keyfile", "", "file holding the node key as 64 hex characters")
	fs.BoolVar(&o.verbose, "v", false, "log discovery events to stderr")
	fs.BoolVar(&o.v5, "v5", false, "crawl over discv5 instead of discv4")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usage("unexpected arguments %q", fs.Args())
	}
	if o.duration <= 0 || o.progress <= 0 || o.workers <= 0 {
		return nil, usage("-duration, -progress and -workers must be positive")
	}
	for _, s := range strings.Split(*bootnodes, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := discover.ParseNode(s)
		if err != nil {
			return nil, usage("-bootnodes: %v", err)
		}
		if n.Incomplete() || n.UDP() == 0 {
			return nil, usage("-bootnodes: %s has no IP address and UDP port", s)
		}
		o.bootnodes = append(o.bootnodes, n)
	}
	for _, s := range strings.Split(*dnsTrees, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if _, err := dnsdisc.ParseURL(s); err != nil {
			return nil, usage("-dns: %v", err)
		}
		o.dns = append(o.dns, s)
	}
	if len(o.bootnodes) == 0 && len(o.dns) == 0 {
		return nil, usage("-bootnodes or -dns is required")
	}
	return &o, nil
}

// run is the whole command; ctx is cancelled on interrupt.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	key, err := nodekey.FromFlags(o.keyHex, o.keyFile)
	if err != nil {
		return usage("%v", err)
	}
	out := stdout
	if o.out != "" {
		f, err := os.Create(o.out)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	var dnsIt discover.Iterator
	if len(o.dns) > 0 {
		var seeds []*discover.Node
		dnsIt, seeds, err = openDNS(ctx, o, log)
		if err != nil {
			return err
		}
		defer dnsIt.Close()
		fmt.Fprintf(stderr, "crawl: %d start nodes from DNS\n", len(seeds))
		o.bootnodes = append(o.bootnodes, seeds...)
		if len(o.bootnodes) == 0 {
			return errors.New("no usable nodes in the DNS trees")
		}
	}

	udpAddr, err := net.ResolveUDPAddr("udp", o.addr)
	if err != nil {
		return usage("-addr: %v", err)
	}
	conn, err := net.ListenUDP("udp", udpAddr)
	if err != nil {
		return err
	}
	var disc discovery
	if o.v5 {
		disc, err = discover.ListenV5(conn, key, discover.Config{V5: discover.V5Config{Bootnodes: o.bootnodes}, Logger: log})
	} else {
		disc, err = discover.Listen(conn, key, discover.Config{Bootnodes: o.bootnodes, Logger: log})
	}
	if err != nil {
		conn.Close()
		return err
	}
	defer disc.Close()
	fmt.Fprintf(stderr, "crawl: listening on %v as %s\n", conn.LocalAddr(), disc.Self().ID().TerminalString())

	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var it discover.Iterator = disc.RandomNodes()
	if dnsIt != nil {
		mix, err := discover.NewFairMix(discover.FairMixConfig{})
		if err != nil {
			it.Close()
			return err
		}
		mix.AddSource(it)
		mix.AddSource(dnsIt)
		it = mix
	}
	nodes := newCrawler(disc, o.workers, log).crawl(ctx, it, o.bootnodes, o.progress, stderr)
	if err := writeNodes(out, nodes); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	fmt.Fprintf(stderr, "crawl: wrote %d verified nodes\n", len(nodes))
	return nil
}

// dnsSeeds and dnsSeedTimeout bound the start nodes read from the DNS trees
// before the crawl begins; the rest of the trees' nodes come during it.
const (
	dnsSeeds       = 16
	dnsSeedTimeout = 10 * time.Second
)

// openDNS returns an iterator over the nodes of the -dns trees, and up to
// dnsSeeds of them with a UDP endpoint to start discovery from.
func openDNS(ctx context.Context, o *options, log *slog.Logger) (discover.Iterator, []*discover.Node, error) {
	cfg := dnsdisc.Config{Logger: log}
	if o.dnsServer != "" {
		cfg.Resolver = dnsdisc.ServerResolver(o.dnsServer)
	}
	client, err := dnsdisc.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	// A separate iterator for the seeds, closed at the deadline; the
	// client's cache spares the main one the lookups.
	seedIt, err := client.NewIterator(o.dns...)
	if err != nil {
		return nil, nil, err
	}
	seedCtx, cancel := context.WithTimeout(ctx, dnsSeedTimeout)
	stop := context.AfterFunc(seedCtx, seedIt.Close)
	usable := discover.FilterIter(seedIt, func(n *discover.Node) bool { return !n.Incomplete() && n.UDP() != 0 })
	// The walk repeats nodes once a tree is exhausted: stop after a few
	// rounds' worth of draws even if the trees are small.
	var seeds []*discover.Node
	seen := make(map[nodeid.ID]bool)
	for draws := 0; draws < 4*dnsSeeds && len(seeds) < dnsSeeds && usable.Next(); draws++ {
		if n := usable.Node(); !seen[n.ID()] {
			seen[n.ID()] = true
			seeds = append(seeds, n)
		}
	}
	stop()
	cancel()
	seedIt.Close()
	it, err := client.NewIterator(o.dns...)
	if err != nil {
		return nil, nil, err
	}
	return it, seeds, nil
}

// Command dnstree publishes and reads EIP-1459 node lists.
//
// To publish, it reads nodes as JSON lines, the output of examples/crawl
// (only the "enr" field is used; lines without one are skipped), builds a
// tree, signs it, prints the tree's URL on standard error and writes its
// TXT records to standard output or -out, as zone-file lines or as a JSON
// object mapping each DNS name to its record:
//
//	go run ./examples/dnstree -in nodes.jsonl -domain nodes.example.org
//	     (-key <hex> | -keyfile <path>) [-seq 7] [-links enrtree://…,…]
//	     [-format zone|json] [-out records.txt]
//
// To read, it fetches a published tree, checks every record against the
// signed root, and prints the tree's nodes as JSON lines (the crawl format)
// and its links on standard error:
//
//	go run ./examples/dnstree -resolve enrtree://<key>@<domain>
//	     [-dns-server 127.0.0.1:53] [-timeout 30s] [-rate 50]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/dnsdisc"
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/nodekey"
)

// Input limits: one JSON line, and the number of nodes in a tree.
const (
	maxLineSize = 64 << 10
	maxNodes    = 100_000
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "dnstree:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "dnstree:", err)
		os.Exit(1)
	}
}

// usageError marks command-line mistakes, which exit with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func usage(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

type options struct {
	// publishing
	in, domain, out, format string
	keyHex, keyFile         string
	seq                     uint64
	links                   []string
	// reading
	resolve   string
	dnsServer string
	timeout   time.Duration
	rate      float64
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("dnstree", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		o     options
		links = fs.String("links", "", "comma-separated enrtree:// URLs of trees to link to")
	)
	fs.StringVar(&o.in, "in", "-", "JSON-lines file of nodes (the output of examples/crawl); - is standard input")
	fs.StringVar(&o.domain, "domain", "", "domain the tree is published under (required to publish)")
	fs.StringVar(&o.out, "out", "", "file to write the records to (default: stdout)")
	fs.StringVar(&o.format, "format", "zone", "output format: zone (zone-file lines) or json (name → record)")
	fs.StringVar(&o.keyHex, "key", "", "signing key as 64 hex characters")
	fs.StringVar(&o.keyFile, "keyfile", "", "file holding the signing key as 64 hex characters")
	fs.Uint64Var(&o.seq, "seq", uint64(time.Now().Unix()), "sequence number of the tree; must grow with every update")
	fs.StringVar(&o.resolve, "resolve", "", "enrtree:// URL of a tree to fetch and print instead of publishing")
	fs.StringVar(&o.dnsServer, "dns-server", "", "DNS server to query, as host:port (default: the system's)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "time limit for -resolve")
	fs.Float64Var(&o.rate, "rate", 50, "DNS lookups per second for -resolve")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usage("unexpected arguments %q", fs.Args())
	}
	for _, l := range strings.Split(*links, ",") {
		if l = strings.TrimSpace(l); l != "" {
			if _, err := dnsdisc.ParseURL(l); err != nil {
				return nil, usage("-links: %v", err)
			}
			o.links = append(o.links, l)
		}
	}
	if o.resolve != "" {
		if _, err := dnsdisc.ParseURL(o.resolve); err != nil {
			return nil, usage("-resolve: %v", err)
		}
		if o.timeout <= 0 || o.rate <= 0 {
			return nil, usage("-timeout and -rate must be positive")
		}
		return &o, nil
	}
	if o.domain == "" {
		return nil, usage("-domain is required to publish (or give -resolve)")
	}
	if o.keyHex == "" && o.keyFile == "" {
		return nil, usage("-key or -keyfile is required to publish: a tree signed by a throwaway key cannot be updated")
	}
	if o.format != "zone" && o.format != "json" {
		return nil, usage("-format must be zone or json")
	}
	return &o, nil
}

// run is the whole command; ctx is cancelled on interrupt.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.resolve != "" {
		return resolve(ctx, o, stdout, stderr)
	}
	return publish(o, stdin, stdout, stderr)
}

func publish(o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	key, err := nodekey.FromFlags(o.keyHex, o.keyFile)
	if err != nil {
		return usage("%v", err)
	}
	in := stdin
	if o.in != "-" {
		f, err := os.Open(o.in)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	nodes, skipped, err := readNodes(in)
	if err != nil {
		return err
	}
	tree, err := dnsdisc.MakeTree(o.seq, nodes, o.links)
	if err != nil {
		return err
	}
	url, err := tree.Sign(key, o.domain)
	if err != nil {
		return usage("-domain: %v", err)
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
	if o.format == "json" {
		err = tree.WriteJSON(out, o.domain)
	} else {
		err = tree.WriteZone(out, o.domain, 60, 86400)
	}
	if err != nil {
		return fmt.Errorf("writing records: %w", err)
	}
	fmt.Fprintf(stderr, "dnstree: %d nodes (%d lines without a record skipped), %d links, seq %d\n", len(tree.Nodes()), skipped, len(o.links), o.seq)
	fmt.Fprintln(stderr, url)
	return nil
}

// nodeLine is the part of an examples/crawl output line we read, and the
// line -resolve writes.
type nodeLine struct {
	ID    string `json:"id"`
	Enode string `json:"enode,omitempty"`
	ENR   string `json:"enr,omitempty"`
	IP    string `json:"ip,omitempty"`
	TCP   uint16 `json:"tcp,omitempty"`
	UDP   uint16 `json:"udp,omitempty"`
	Seq   uint64 `json:"seq,omitempty"`
}

// readNodes reads JSON lines of at most maxLineSize bytes, keeping the
// nodes with a valid record, at most maxNodes.
func readNodes(r io.Reader) (nodes []*discover.Node, skipped int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineSize)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var nl nodeLine
		if err := json.Unmarshal([]byte(line), &nl); err != nil {
			return nil, 0, fmt.Errorf("line %d: %v", lineNo, err)
		}
		if nl.ENR == "" {
			skipped++
			continue
		}
		rec, err := enr.Parse(nl.ENR)
		if err != nil {
			return nil, 0, fmt.Errorf("line %d: %v", lineNo, err)
		}
		n, err := discover.NewNode(rec)
		if err != nil {
			return nil, 0, fmt.Errorf("line %d: %v", lineNo, err)
		}
		if len(nodes) == maxNodes {
			return nil, 0, fmt.Errorf("more than %d nodes", maxNodes)
		}
		nodes = append(nodes, n)
	}
	if err := sc.Err(); err != nil {
		return nil, 0, err
	}
	return nodes, skipped, nil
}

func resolve(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	cfg := dnsdisc.Config{RateLimit: o.rate}
	if o.dnsServer != "" {
		cfg.Resolver = dnsdisc.ServerResolver(o.dnsServer)
	}
	client, err := dnsdisc.New(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	tree, err := client.SyncTree(ctx, o.resolve)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(stdout)
	enc := json.NewEncoder(bw)
	for _, n := range tree.Nodes() {
		line := nodeLine{ID: n.ID().String(), Enode: n.URLv4(), ENR: n.String(), TCP: n.TCP(), UDP: n.UDP(), Seq: n.Seq()}
		if !n.Incomplete() {
			line.IP = n.IP().String()
		}
		if err := enc.Encode(&line); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	for _, l := range tree.Links() {
		fmt.Fprintln(stderr, "dnstree: link", l)
	}
	fmt.Fprintf(stderr, "dnstree: seq %d, %d nodes, %d links\n", tree.Seq(), len(tree.Nodes()), len(tree.Links()))
	return nil
}

// Command ping connects to one devp2p node, runs the RLPx and Hello
// handshakes, prints what the node says about itself, measures one p2p
// Ping/Pong round trip and disconnects politely.
//
// Usage:
//
//	go run ./examples/ping [-timeout 10s] [-key <hex> | -keyfile <path>]
//	                       [-caps eth/68,eth/69,...] enode://<pubkey>@<ip>:<port>
//
// On success it prints, one per line, the remote's client name, its p2p
// version, its capabilities, its node ID and the Pong round-trip time,
// disconnects with reason "disconnect requested" and exits 0:
//
//	node     enode://…@127.0.0.1:30303
//	client   "Geth/v1.17.10-stable/linux-amd64/go1.26"
//	p2p      5
//	caps     eth/69 eth/70 eth/71 eth/72 snap/1
//	id       5b2d…  (keccak256 of the public key)
//	rtt      213µs
//
// A refused connection, a failed handshake or a Disconnect from the remote
// prints one line with the reason to stderr and exits 1; bad flags exit 2.
//
// Nodes drop peers that share no capability with them right after Hello,
// so ping announces the capabilities in -caps (by default every eth
// version from 68 to 72 and snap/1). It never speaks those protocols: their
// messages are ignored, and the session ends long before a node would
// time out waiting for them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodekey"
	"github.com/devp2p-go/devp2p/peer"
)

// clientName is the name ping announces in Hello.
const clientName = "devp2p-go-ping/v1"

// defaultCaps are announced unless -caps says otherwise.
const defaultCaps = "eth/68,eth/69,eth/70,eth/71,eth/72,snap/1"

// usageError marks command-line mistakes, which exit with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func usage(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "ping:", oneLine(err))
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "ping:", oneLine(err))
		os.Exit(1)
	}
}

// options are the parsed command line.
type options struct {
	node    *discover.Node
	timeout time.Duration
	caps    []peer.Cap
	keyHex  string
	keyFile string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("ping", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ping [flags] enode://<pubkey>@<ip>:<port>")
		fs.PrintDefaults()
	}
	var (
		o    options
		caps = fs.String("caps", defaultCaps, "comma-separated capabilities to announce in Hello (name/version)")
	)
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "time limit for the whole session")
	fs.StringVar(&o.keyHex, "key", "", "node key as 64 hex characters (default: a fresh key)")
	fs.StringVar(&o.keyFile, "keyfile", "", "file holding the node key as 64 hex characters")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 1 {
		return nil, usage("want exactly one enode URL, got %d arguments", fs.NArg())
	}
	if o.timeout <= 0 {
		return nil, usage("-timeout must be positive")
	}
	n, err := discover.ParseNode(fs.Arg(0))
	if err != nil {
		return nil, usage("%v", err)
	}
	if n.Incomplete() || n.TCP() == 0 {
		return nil, usage("%s has no IP address and TCP port", fs.Arg(0))
	}
	o.node = n
	if o.caps, err = parseCaps(*caps); err != nil {
		return nil, usage("-caps: %v", err)
	}
	return &o, nil
}

// parseCaps parses "name/version,…".
func parseCaps(s string) ([]peer.Cap, error) {
	var caps []peer.Cap
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		name, ver, ok := strings.Cut(f, "/")
		v, err := strconv.ParseUint(ver, 10, 32)
		if !ok || err != nil || name == "" || len(name) > 8 {
			return nil, fmt.Errorf("%q is not name/version", f)
		}
		caps = append(caps, peer.Cap{Name: name, Version: uint(v)})
	}
	return caps, nil
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
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	fmt.Fprintf(stdout, "node     %s\n", o.node.URLv4())
	s, err := connect(ctx, o.node, key, o.caps)
	if err != nil {
		return err
	}
	defer s.conn.Close()
	h := s.hello
	fmt.Fprintf(stdout, "client   %q\n", h.Name)
	fmt.Fprintf(stdout, "p2p      %d\n", h.Version)
	fmt.Fprintf(stdout, "caps     %s\n", capList(h.Caps))
	fmt.Fprintf(stdout, "id       %s\n", o.node.ID())

	rtt, err := s.ping(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rtt      %v\n", rtt)
	if err := peer.Reject(s.conn, peer.DiscRequested); err != nil {
		return fmt.Errorf("sending disconnect: %w", err)
	}
	return nil
}

func capList(caps []peer.Cap) string {
	if len(caps) == 0 {
		return "(none)"
	}
	names := make([]string, len(caps))
	for i, c := range caps {
		names[i] = strconv.Quote(c.String())
		names[i] = names[i][1 : len(names[i])-1] // escaped, without the quotes
	}
	return strings.Join(names, " ")
}

// oneLine makes sure an error prints as a single line, whatever the remote
// put into it.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

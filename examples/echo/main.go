// Command echo runs the devp2p server with a tiny "echo/1" protocol and
// measures round trips.
//
// With no flags it starts two nodes on 127.0.0.1, connects them, sends -n
// requests (default 1000) of each of a few sizes, checks every echo, prints
// one summary line per size and exits:
//
//	go run ./examples/echo
//
// To talk across two terminals or machines, run the listening side, which
// prints its enode:// URL on the first line and answers until interrupted:
//
//	go run ./examples/echo -listen 127.0.0.1:30303
//
// Behind a home router, add -nat any (or upnp, pmp, extip:<ip>, …) to the
// listening side: it maps its port on the gateway first and prints the
// URL with the external address and port:
//
//	go run ./examples/echo -listen :30303 -nat any
//
// and point the dialing side at that URL:
//
//	go run ./examples/echo -dial enode://…@127.0.0.1:30303
//
// With -listen, -metrics 127.0.0.1:PORT serves the node's metrics in the
// Prometheus text format at /metrics and the Go profiler at /debug/pprof/
// on that address; the second line of standard output is then
// "metrics <URL>".
//
// -key (64 hex characters) or -keyfile (a file holding them, the
// go-ethereum nodekey format) fixes the node key of the side this process
// runs (the listening node in the default two-node mode); otherwise a
// fresh key is generated.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/examples/internal/metricsrv"
	"github.com/devp2p-go/devp2p/nat"
	"github.com/devp2p-go/devp2p/nodekey"
	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "echo:", err)
		}
		os.Exit(1)
	}
}

type options struct {
	listen  string
	metrics string
	dial    string
	n       int
	sizes   []int
	key     *secp256k1.PrivateKey
	timeout time.Duration
	nat     nat.Interface // -nat, for the listening side
	log     *slog.Logger
}

// run is the whole command; ctx is cancelled on interrupt.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	switch {
	case opts.dial != "":
		return runDialer(ctx, opts, stdout)
	case opts.listen != "":
		return runListener(ctx, opts, stdout)
	default:
		return runBoth(ctx, opts, stdout)
	}
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		o       options
		sizes   = fs.String("sizes", "32,1024,65536", "comma-separated payload sizes in bytes")
		keyHex  = fs.String("key", "", "node key as 64 hex characters")
		keyFile = fs.String("keyfile", "", "file holding the node key as 64 hex characters")
		verbose = fs.Bool("v", false, "log debug messages to stderr")
		natSpec = fs.String("nat", "none", "with -listen: port mapping / external address (none, any, upnp, pmp, pmp:<gateway>, extip:<ip>, stun:<host:port>)")
	)
	fs.StringVar(&o.listen, "listen", "", "run only the listening side on this TCP address (e.g. 127.0.0.1:30303)")
	fs.StringVar(&o.metrics, "metrics", "", "with -listen: serve /metrics and /debug/pprof/ on this TCP address (e.g. 127.0.0.1:6060)")
	fs.StringVar(&o.dial, "dial", "", "run only the dialing side against this enode:// URL")
	fs.IntVar(&o.n, "n", 1000, "requests per payload size")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "how long the dialing side waits for the connection")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.metrics != "" && (o.listen == "" || o.dial != "") {
		return nil, fmt.Errorf("-metrics needs -listen (and no -dial)")
	}
	if o.n <= 0 {
		return nil, fmt.Errorf("-n must be positive")
	}
	for _, f := range strings.Split(*sizes, ",") {
		size, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || size < 0 || size > maxEcho {
			return nil, fmt.Errorf("-sizes: %q is not a size between 0 and %d", f, maxEcho)
		}
		o.sizes = append(o.sizes, size)
	}
	var err error
	if o.nat, err = nat.Parse(*natSpec); err != nil {
		return nil, fmt.Errorf("-nat: %w", err)
	}
	o.key, err = nodekey.FromFlags(*keyHex, *keyFile)
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	o.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	return &o, nil
}

func newServer(opts *options, key *secp256k1.PrivateKey, listen string, n nat.Interface, proto peer.Protocol, static ...*discover.Node) (*server.Server, error) {
	srv, err := server.New(server.Config{
		NAT:         n,
		PrivateKey:  key,
		Name:        "devp2p-go-echo",
		Protocols:   []peer.Protocol{proto},
		ListenAddr:  listen,
		NoDiscovery: true,
		NoDial:      len(static) == 0,
		StaticNodes: static,
		Logger:      opts.log,
	})
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	return srv, nil
}

// runBoth starts a listening and a dialing node and measures between them.
func runBoth(ctx context.Context, opts *options, stdout io.Writer) error {
	lproto, _ := newEchoProtocol()
	listener, err := newServer(opts, opts.key, "127.0.0.1:0", nil, lproto)
	if err != nil {
		return err
	}
	defer listener.Close()
	dialKey, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		return err
	}
	opts.dial = listener.Self().URLv4()
	return dial(ctx, opts, dialKey, "127.0.0.1:0", stdout)
}

// runListener answers echo requests until ctx is cancelled.
func runListener(ctx context.Context, opts *options, stdout io.Writer) error {
	proto, _ := newEchoProtocol()
	srv, err := newServer(opts, opts.key, opts.listen, opts.nat, proto)
	if err != nil {
		return err
	}
	defer srv.Close()
	// Start has made the first mapping: this is the advertised endpoint.
	fmt.Fprintln(stdout, srv.Self().URLv4())
	if opts.metrics != "" {
		ms, err := metricsrv.Start(opts.metrics, srv.Metrics())
		if err != nil {
			return fmt.Errorf("-metrics: %w", err)
		}
		defer ms.Close()
		fmt.Fprintln(stdout, "metrics", ms.URL())
	}
	events := make(chan server.PeerEvent, 16)
	defer srv.SubscribeEvents(events)()
	for {
		select {
		case ev := <-events:
			switch ev.Type {
			case server.PeerAdded:
				fmt.Fprintf(stdout, "peer %s connected from %v\n", ev.ID.TerminalString(), ev.RemoteAddr)
			case server.PeerDropped:
				fmt.Fprintf(stdout, "peer %s left: %v\n", ev.ID.TerminalString(), ev.Reason)
			}
		case <-ctx.Done():
			return nil
		}
	}
}

// runDialer connects to opts.dial and measures.
func runDialer(ctx context.Context, opts *options, stdout io.Writer) error {
	listen := opts.listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	return dial(ctx, opts, opts.key, listen, stdout)
}

func dial(ctx context.Context, opts *options, key *secp256k1.PrivateKey, listen string, stdout io.Writer) error {
	target, err := discover.ParseNode(opts.dial)
	if err != nil {
		return fmt.Errorf("-dial: %w", err)
	}
	proto, sessions := newEchoProtocol()
	srv, err := newServer(opts, key, listen, nil, proto, target)
	if err != nil {
		return err
	}
	defer srv.Close()

	timer := time.NewTimer(opts.timeout)
	defer timer.Stop()
	var s *session
	select {
	case s = <-sessions:
	case <-timer.C:
		return fmt.Errorf("no echo/1 connection to %s within %v", target.TCPAddr(), opts.timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
	return measure(ctx, s, opts.n, opts.sizes, stdout)
}

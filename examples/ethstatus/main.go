// Command ethstatus talks the Ethereum wire protocol ("eth") to one node:
// it dials the node, reads the node's Status, prints it, answers with a
// compatible Status of its own so the node accepts the session, stays
// connected for a while answering the node's requests with empty responses,
// and prints how many messages of each kind it received.
//
// Usage:
//
//	go run ./examples/ethstatus [-duration 10s] [-timeout 10s]
//	                            [-key <hex> | -keyfile <path>] enode://<pubkey>@<ip>:<port>
//
// It offers eth/68 through eth/72 (go-ethereum v1.17 speaks eth/69–72;
// older nodes eth/68) and uses the highest version the node shares.
// Output:
//
//	node      enode://…@127.0.0.1:30303
//	client    "Geth/v1.17.10-stable/linux-amd64/go1.26"
//	version   eth/72
//	network   1
//	genesis   0xd4e5…8fa3
//	head      0x…  number 21000000  (eth/68: the best hash and its total difficulty)
//	history   blocks 0–21000000     (eth/69+)
//	forkid    0x9f3d2254 next 0
//	staying connected for 10s
//	received  0x00 Status 1
//	received  0x08 NewPooledTransactionHashes 12
//	answered  0 requests
//
// It exits 0 after -duration, disconnecting with "disconnect requested".
// A refused connection, a failed handshake, a node without a shared eth
// version, or a Disconnect from the node prints one line to stderr and
// exits 1 (after the message counts, if the session had started); bad flags
// exit 2.
//
// Our Status echoes the node's network ID, genesis hash and fork ID and
// claims a chain holding only the genesis block: nothing to sync from us.
package main

import (
	"context"
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
	"github.com/devp2p-go/devp2p/nodekey"
	"github.com/devp2p-go/devp2p/peer"
)

// clientName is the name ethstatus announces in Hello.
const clientName = "devp2p-go-ethstatus/v1"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "ethstatus:", oneLine(err))
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "ethstatus:", oneLine(err))
		os.Exit(1)
	}
}

// usageError marks command-line mistakes, which exit with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func usage(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// options are the parsed command line.
type options struct {
	node     *discover.Node
	timeout  time.Duration
	duration time.Duration
	keyHex   string
	keyFile  string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("ethstatus", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ethstatus [flags] enode://<pubkey>@<ip>:<port>")
		fs.PrintDefaults()
	}
	var o options
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "time limit for connecting and exchanging Status")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to stay connected after the Status exchange")
	fs.StringVar(&o.keyHex, "key", "", "node key as 64 hex characters (default: a fresh key)")
	fs.StringVar(&o.keyFile, "keyfile", "", "file holding the node key as 64 hex characters")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 1 {
		return nil, usage("want exactly one enode URL, got %d arguments", fs.NArg())
	}
	if o.timeout <= 0 || o.duration < 0 {
		return nil, usage("-timeout must be positive and -duration not negative")
	}
	n, err := discover.ParseNode(fs.Arg(0))
	if err != nil {
		return nil, usage("%v", err)
	}
	if n.Incomplete() || n.TCP() == 0 {
		return nil, usage("%s has no IP address and TCP port", fs.Arg(0))
	}
	o.node = n
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
	fmt.Fprintf(stdout, "node      %s\n", o.node.URLv4())

	// Connect and exchange Status within -timeout.
	setupCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	s := newSession()
	p, err := connect(setupCtx, o.node, key, s.protocols())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "client    %q\n", p.Name())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	select {
	case <-s.ready:
	case err := <-done:
		return sessionEnd(err)
	case <-setupCtx.Done():
		p.Disconnect(peer.DiscReadTimeout)
		<-done
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("no eth Status from %v within %v", o.node.TCPAddr(), o.timeout)
	}
	printStatus(stdout, s)

	// Stay for -duration, answering requests.
	fmt.Fprintf(stdout, "staying connected for %v\n", o.duration)
	stay := time.NewTimer(o.duration)
	defer stay.Stop()
	select {
	case <-stay.C:
		p.Disconnect(peer.DiscRequested)
		err = <-done
	case err = <-done:
	}
	printCounts(stdout, s)
	if ctx.Err() != nil { // interrupted: a normal end
		return nil
	}
	return sessionEnd(err)
}

// sessionEnd turns the error Peer.Run returned into the command's result:
// nil when we ended the session with "disconnect requested".
func sessionEnd(err error) error {
	var de *peer.DisconnectError
	if !errors.As(err, &de) || de.Remote {
		return err
	}
	switch {
	case de.Reason == peer.DiscRequested:
		return nil
	case de.Err != nil:
		// Our protocol's errors name the reason already.
		return fmt.Errorf("disconnected: %w", de.Err)
	}
	return err
}

// oneLine makes sure an error prints as a single line, whatever the remote
// put into it.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

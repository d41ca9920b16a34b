package nat

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Parse reads the usual text forms of a NAT setting (those of
// go-ethereum's --nat flag):
//
//	none               no NAT handling: returns nil, nil
//	any                UPnP and NAT-PMP raced, the first gateway to answer wins
//	upnp               UPnP IGD v1 or v2
//	pmp                NAT-PMP, gateway guessed as x.y.z.1 of our private networks
//	pmp:<gateway>      NAT-PMP at that IPv4 address
//	extip:<ip>         a fixed external address, nothing mapped
//	stun:<host:port>   external address learned from a STUN server, nothing mapped
//
// Parse sends nothing: gateways are searched on first use, and searched
// again after a failure.
func Parse(spec string) (Interface, error) {
	mech, arg, hasArg := strings.Cut(spec, ":")
	bad := func(why string) (Interface, error) {
		return nil, fmt.Errorf("%w %q: %s", ErrInvalidSpec, spec, why)
	}
	switch strings.ToLower(mech) {
	case "", "none", "off":
		if hasArg {
			return bad("takes no argument")
		}
		return nil, nil
	case "any", "auto", "on":
		if hasArg {
			return bad("takes no argument")
		}
		return Any(), nil
	case "upnp":
		if hasArg {
			return bad("takes no argument")
		}
		return UPnP(), nil
	case "pmp", "natpmp", "nat-pmp":
		if !hasArg {
			return newLazy("NAT-PMP", discoverPMP), nil
		}
		gw, err := parsePMPGateway(arg)
		if err != nil {
			return nil, err
		}
		return NewPMP(gw), nil
	case "extip":
		ip, err := netip.ParseAddr(arg)
		if err != nil || ip.IsUnspecified() {
			return bad("want extip:<ip>")
		}
		return ExtIP(ip.Unmap()), nil
	case "stun":
		if !hasArg || arg == "" {
			return bad("want stun:<host:port>")
		}
		return NewSTUN(arg)
	}
	return bad("unknown method (want none, any, upnp, pmp, pmp:<gateway>, extip:<ip> or stun:<host:port>)")
}

// Any returns an Interface that, on first use, searches for a UPnP and a
// NAT-PMP gateway at once and then uses the first that answers.
func Any() Interface {
	return newLazy("any", func(ctx context.Context) (Interface, error) {
		return race(ctx, discoverUPnP, discoverPMP)
	})
}

// UPnP returns an Interface that searches for a UPnP Internet Gateway
// Device on first use (SSDP), and uses its WANIPConnection or
// WANPPPConnection service.
func UPnP() Interface {
	return newLazy("UPnP", discoverUPnP)
}

// race runs the candidates at once and returns the first success,
// cancelling and waiting for the others. With no success it returns the
// errors joined.
func race(ctx context.Context, cands ...func(context.Context) (Interface, error)) (Interface, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		nat Interface
		err error
	}
	results := make(chan result, len(cands))
	var wg sync.WaitGroup
	for _, c := range cands {
		wg.Go(func() {
			n, err := c(ctx)
			results <- result{n, err}
		})
	}
	defer wg.Wait()
	var errs []error
	for range cands {
		r := <-results
		if r.err == nil {
			cancel()
			return r.nat, nil
		}
		errs = append(errs, r.err)
	}
	return nil, fmt.Errorf("%w: %w", ErrNoGateway, errors.Join(errs...))
}

// discoverTimeout bounds a search for gateways when the caller's context
// has no earlier deadline.
const discoverTimeout = DefaultTimeout

// lazy finds its gateway on first use and keeps it; a failed search is
// retried on the next call.
type lazy struct {
	name     string
	discover func(context.Context) (Interface, error)

	mu    sync.Mutex // held during a search, so that only one runs
	found Interface
}

func newLazy(name string, discover func(context.Context) (Interface, error)) *lazy {
	return &lazy{name: name, discover: discover}
}

func (l *lazy) get(ctx context.Context) (Interface, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.found != nil {
		return l.found, nil
	}
	dctx, cancel := context.WithTimeout(ctx, discoverTimeout)
	defer cancel()
	n, err := l.discover(dctx)
	if err != nil {
		return nil, err
	}
	l.found = n
	return n, nil
}

func (l *lazy) Map(ctx context.Context, proto Protocol, internal, ext uint16, lifetime time.Duration, desc string) (Mapping, error) {
	n, err := l.get(ctx)
	if err != nil {
		return Mapping{}, err
	}
	return n.Map(ctx, proto, internal, ext, lifetime, desc)
}

func (l *lazy) Unmap(ctx context.Context, m Mapping) error {
	n, err := l.get(ctx)
	if err != nil {
		return err
	}
	return n.Unmap(ctx, m)
}

func (l *lazy) ExternalIP(ctx context.Context) (netip.Addr, error) {
	n, err := l.get(ctx)
	if err != nil {
		return netip.Addr{}, err
	}
	return n.ExternalIP(ctx)
}

// String names the method and, once found, the gateway.
func (l *lazy) String() string {
	if l.mu.TryLock() {
		defer l.mu.Unlock()
		if l.found != nil {
			return l.found.String()
		}
	}
	return l.name
}

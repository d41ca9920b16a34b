package dnsdisc

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/devp2p-go/devp2p/discover"
)

// subtreeKind says which of a root's two subtrees a walk covers; each
// admits only its own kind of leaf (EIP-1459).
type subtreeKind int

const (
	nodeSubtree subtreeKind = iota // e=: branches and "enr:" leaves
	linkSubtree                    // l=: branches and "enrtree://" leaves
)

// subtree is the progress of one pass over a subtree: the hashes still to
// fetch, and how many were fetched. Leaves are fetched in any order.
type subtree struct {
	kind    subtreeKind
	root    string
	missing []string
	fetched int
	nodes   int // node leaves found in this pass
}

func newSubtree(root string, kind subtreeKind) *subtree {
	return &subtree{kind: kind, root: root, missing: []string{root}}
}

func (s *subtree) done() bool { return len(s.missing) == 0 }

// fetch resolves hash, checks that it belongs in this subtree and queues
// a branch's children.
func (s *subtree) fetch(ctx context.Context, c *Client, domain, hash string) (entry, error) {
	e, err := c.resolveEntry(ctx, domain, hash)
	if err != nil {
		return nil, err
	}
	s.fetched++
	switch e := e.(type) {
	case *branchEntry:
		s.missing = append(s.missing, e.children...)
	case *enrEntry:
		if s.kind != nodeSubtree {
			return nil, &EntryError{hash + "." + domain, fmt.Errorf("%w: node record in the link subtree", ErrWrongSubtree)}
		}
		s.nodes++
	case *linkEntry:
		if s.kind != linkSubtree {
			return nil, &EntryError{hash + "." + domain, fmt.Errorf("%w: link in the node subtree", ErrWrongSubtree)}
		}
	}
	return e, nil
}

// Retry policy, as go-ethereum's: after this many failed entry lookups in a
// row the root is fetched again, and after repeated root failures the tree
// rests before the next try.
const (
	maxLeafFailures   = 5
	rootFailuresShort = 5
	rootFailuresLong  = 20
	rootBackoffShort  = 5 * time.Second
	rootBackoffLong   = 10 * time.Second
)

// clientTree is an iterator's view of one tree: its verified root, a full
// pass over the link subtree and a random walk over the node subtree. It is
// owned by the iterator's goroutine.
type clientTree struct {
	c     *Client
	link  *Link
	depth int // links from the trees the iterator was given

	root      *rootEntry
	rootCheck time.Time // when root was last fetched; zero forces a fetch
	restUntil time.Time // no lookups before this (backoff, or an empty tree)

	nodes     *subtree
	links     *subtree
	linkSet   []*Link // from links, complete once linksDone
	pending   []*Link // links found by the current pass
	linksDone bool

	leafFailures, rootFailures int
}

func newClientTree(c *Client, link *Link, depth int) *clientTree {
	return &clientTree{c: c, link: link, depth: depth}
}

// syncable reports whether step has work to do at now.
func (ct *clientTree) syncable(now time.Time) bool { return !now.Before(ct.restUntil) }

// rootDue reports whether the root must be fetched again.
func (ct *clientTree) rootDue(now time.Time) bool {
	return ct.root == nil || now.Sub(ct.rootCheck) >= ct.c.cfg.RecheckInterval || ct.leafFailures > maxLeafFailures
}

// nextCheck returns when the tree next has work to do, if it is resting.
func (ct *clientTree) nextCheck() time.Time {
	if ct.restUntil.IsZero() {
		return ct.rootCheck.Add(ct.c.cfg.RecheckInterval)
	}
	return ct.restUntil
}

// step does one lookup's worth of work and returns a node when it found
// one. linksChanged reports that a pass over the link subtree finished, so
// the set of linked trees may have changed.
func (ct *clientTree) step(ctx context.Context, rnd *rand.Rand) (n *discover.Node, linksChanged bool, err error) {
	now := ct.c.cfg.Clock.Now()
	if ct.rootDue(now) {
		return nil, false, ct.updateRoot(ctx, now)
	}
	if !ct.linksDone {
		return nil, ct.stepLinks(ctx), nil
	}
	return ct.stepNodes(ctx, rnd, now)
}

// updateRoot fetches the root and restarts the subtrees whose hash
// changed. A root with a lower sequence number than the current one is
// refused; the tree keeps its root and checks again after RecheckInterval.
func (ct *clientTree) updateRoot(ctx context.Context, now time.Time) (err error) {
	cfg := ct.c.cfg
	defer func() { cfg.Metrics.TreeSynced(err) }()
	root, err := ct.c.resolveRoot(ctx, ct.link)
	ct.rootCheck = now
	ct.leafFailures = 0
	if err == nil && ct.root != nil && root.seq < ct.root.seq {
		err = &EntryError{ct.link.Domain, fmt.Errorf("%w: %d < %d", ErrStaleRoot, root.seq, ct.root.seq)}
	}
	if err != nil {
		if ct.root == nil {
			ct.rootCheck = time.Time{} // nothing to sync before a root is found
		}
		ct.rootFailures++
		switch {
		case ct.rootFailures > rootFailuresLong:
			ct.restUntil = now.Add(rootBackoffLong)
		case ct.rootFailures > rootFailuresShort:
			ct.restUntil = now.Add(rootBackoffShort)
		default:
			ct.restUntil = time.Time{}
		}
		return err
	}
	ct.rootFailures = 0
	ct.restUntil = time.Time{}
	if ct.root == nil || root.eroot != ct.root.eroot {
		ct.nodes = newSubtree(root.eroot, nodeSubtree)
	}
	if ct.root == nil || root.lroot != ct.root.lroot {
		ct.links = newSubtree(root.lroot, linkSubtree)
		ct.pending, ct.linksDone = nil, false
	}
	if ct.root == nil || root.seq != ct.root.seq {
		cfg.Logger.Debug("dnsdisc: new root", "tree", ct.link.Domain, "seq", root.seq)
	}
	ct.root = root
	return nil
}

// stepLinks fetches one entry of the link subtree and reports whether the
// pass finished. A link subtree is read completely (it is small) before
// the tree yields nodes, so linked trees join early.
func (ct *clientTree) stepLinks(ctx context.Context) bool {
	s := ct.links
	if s.fetched >= ct.c.cfg.MaxTreeEntries {
		ct.c.cfg.Logger.Debug("dnsdisc: link subtree too large", "tree", ct.link.Domain, "err", ErrTooManyEntries)
		s.missing = nil
	} else {
		h := s.missing[0]
		s.missing = s.missing[1:]
		e, err := s.fetch(ctx, ct.c, ct.link.Domain, h)
		if room := ct.c.cfg.MaxTreeEntries - s.fetched; len(s.missing) > room {
			s.missing = s.missing[:max(room, 0)]
		}
		if err != nil {
			ct.fail(ctx, err)
		} else if le, ok := e.(*linkEntry); ok {
			ct.pending = append(ct.pending, le.link)
		}
	}
	if !s.done() {
		return false
	}
	ct.linkSet, ct.pending, ct.linksDone = ct.pending, nil, true
	return true
}

// stepNodes fetches a random missing entry of the node subtree. When a
// pass ends it starts another; a pass that found no node makes the tree
// rest until its next root check, so an empty tree costs no lookups.
func (ct *clientTree) stepNodes(ctx context.Context, rnd *rand.Rand, now time.Time) (*discover.Node, bool, error) {
	s := ct.nodes
	if s.done() || s.fetched >= ct.c.cfg.MaxTreeEntries {
		if s.fetched >= ct.c.cfg.MaxTreeEntries {
			ct.c.cfg.Logger.Debug("dnsdisc: node subtree too large", "tree", ct.link.Domain, "err", ErrTooManyEntries)
		}
		if s.nodes == 0 {
			ct.restUntil = ct.rootCheck.Add(ct.c.cfg.RecheckInterval)
		}
		ct.nodes = newSubtree(ct.root.eroot, nodeSubtree)
		return nil, false, nil
	}
	i := rnd.IntN(len(s.missing))
	h := s.missing[i]
	s.missing[i] = s.missing[len(s.missing)-1]
	s.missing = s.missing[:len(s.missing)-1]
	// Bound the walk's memory: a branch's children are queued only while
	// the pass is under its cap.
	before := len(s.missing)
	e, err := s.fetch(ctx, ct.c, ct.link.Domain, h)
	if over := s.fetched + len(s.missing) - ct.c.cfg.MaxTreeEntries; over > 0 && len(s.missing) > before {
		s.missing = s.missing[:max(before, len(s.missing)-over)]
	}
	if err != nil {
		ct.fail(ctx, err)
		return nil, false, err
	}
	ct.leafFailures = 0
	if ee, ok := e.(*enrEntry); ok {
		return ee.node, false, nil
	}
	return nil, false, nil
}

// fail counts a failed entry lookup. The entry is skipped for this pass;
// after several failures in a row the root is fetched again, in case the
// tree was republished under us.
func (ct *clientTree) fail(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	ct.leafFailures++
	ct.c.cfg.Logger.Debug("dnsdisc: entry failed", "tree", ct.link.Domain, "err", err)
}

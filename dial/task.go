package dial

import (
	"context"
	"fmt"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/netutil"
)

// task is one dial attempt, run in its own goroutine.
//
// The loop fills in the first group of fields before starting the goroutine
// and, apart from calling cancel, does not touch the task again until it
// receives it back on doneCh; the goroutine writes only the result fields.
// The go statement and the channel hand-over order the two.
type task struct {
	node    *discover.Node // the node as the loop knew it
	static  bool
	resolve bool         // ask the Resolver for a fresher record first
	entry   *staticEntry // loop-only: the static entry that started it
	ctx     context.Context
	cancel  context.CancelFunc
	started time.Time

	// Results, written by the task goroutine.
	dest       *discover.Node // the node actually dialled
	resolved   bool           // dest came from the Resolver and differs from node
	dialFailed bool           // err came from the Dialer (not from setup)
	err        error
	finished   time.Time
}

// run performs the dial and reports back to the loop.
func (s *Scheduler) run(t *task) {
	defer s.wg.Done()
	t.err = s.dialTask(t)
	t.finished = s.clock.Now()
	t.cancel()
	select {
	case s.doneCh <- t:
	case <-s.quit:
	}
}

func (s *Scheduler) dialTask(t *task) error {
	n := t.node
	if t.static && s.cfg.Resolver != nil && (t.resolve || !hasEndpoint(n)) {
		if r := s.cfg.Resolver.Resolve(t.ctx, n); r != nil && r.ID() == n.ID() && r != n {
			if r.TCPAddr() != n.TCPAddr() || r.Seq() != n.Seq() {
				s.log.Debug("Resolved static node", "id", n.ID().String(), "addr", r.TCPAddr().String(), "old", n.TCPAddr().String())
				n, t.resolved = r, true
			}
		}
	}
	t.dest = n
	if !hasEndpoint(n) {
		t.dialFailed = true
		return ErrNoEndpoint
	}
	if !netutil.Allowed(s.cfg.NetRestrict, n.IP()) {
		return ErrNetRestrict
	}
	conn, err := s.cfg.Dialer.Dial(t.ctx, n)
	if err == nil && conn == nil {
		err = ErrNoConn
	}
	if err != nil {
		t.dialFailed = true
		return &connectError{err}
	}
	if err := s.setup(t.ctx, conn, n, t.static); err != nil {
		conn.Close()
		return fmt.Errorf("setup: %w", err)
	}
	return nil
}

// Package metricsrv serves a node's metrics, in the Prometheus text
// format (metrics.Handler), at /metrics and the Go profiler at
// /debug/pprof/ over HTTP, for the example commands' -metrics flag.
package metricsrv

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/devp2p-go/devp2p/metrics"
)

// Timeouts of the HTTP server: a scrape or a profile request is small, but
// a CPU profile or trace runs for as long as its "seconds" parameter (30 s
// by default), so writes get longer.
const (
	readTimeout  = 10 * time.Second
	writeTimeout = 2 * time.Minute
	idleTimeout  = time.Minute
)

// Server serves /metrics and /debug/pprof/ on one address until Close.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{} // closed when Serve has returned
}

// Start listens on addr ("host:port"; port 0 picks one, see URL) and
// serves reg's metrics and the profiler there. Bind it to loopback: the
// profiler tells a lot about the process.
func Start(addr string, reg *metrics.Registry) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics.Handler(reg))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	s := &Server{
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: readTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
		},
		ln:   newLimitListener(ln, maxConns),
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		s.srv.Serve(s.ln)
	}()
	return s, nil
}

// URL returns the address of the metrics, http://host:port/metrics.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/metrics" }

// Close stops the server, giving requests in flight a second to finish,
// and waits for it.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	<-s.done
	return err
}

package hubspotsim

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"
)

// countCalls counts each request by method and route pattern. The count is
// taken when the answer starts (or the connection is hijacked), so a test
// that has read a response always sees its call counted.
func (s *Server) countCalls(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w, record: func() {
			pattern := r.URL.Path
			if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
				// The version is part of what was called: a dated and a
				// legacy call must never count as one.
				pattern = strings.Replace(rc.RoutePattern(), "{version}", rc.URLParam("version"), 1)
			}
			s.callsMu.Lock()
			s.calls[r.Method+" "+pattern]++
			s.callsMu.Unlock()
		}}
		next.ServeHTTP(cw, r)
		cw.once.Do(cw.record)
	})
}

type countingWriter struct {
	http.ResponseWriter
	once   sync.Once
	record func()
}

func (c *countingWriter) WriteHeader(code int) {
	c.once.Do(c.record)
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.once.Do(c.record)
	return c.ResponseWriter.Write(b)
}

// Hijack keeps simfault's dropped connections working through the wrapper.
func (c *countingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c.once.Do(c.record)
	hj, ok := c.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hubspotsim: response writer cannot hijack")
	}
	return hj.Hijack()
}

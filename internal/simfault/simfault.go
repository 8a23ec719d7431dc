// Package simfault injects faults into the CRM simulators at run time: latency,
// server errors, rate limiting, dropped connections, and the delivery faults of
// their webhook senders (duplicates, reordering). Tests switch faults on and
// off through a *Injector; the standalone simulators expose the same switch as
// JSON over HTTP (Handler).
//
// Faults that only one CRM has (expired tokens, a refused refresh, a spent
// daily budget) live in that simulator; the error bodies are the simulator's
// own too, so that a 429 from the HubSpot simulator looks like HubSpot's.
package simfault

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Plan is the set of faults in force. Counts are consumed one request (or one
// delivery) at a time; Rate fields apply to every request with that chance.
type Plan struct {
	// Latency is added before every API response.
	Latency time.Duration `json:"latency,omitempty"`
	// ServerErrors answers the next N API requests with a 5xx.
	ServerErrors int `json:"server_errors,omitempty"`
	// ServerErrorRate answers this share (0..1) of API requests with a 5xx.
	ServerErrorRate float64 `json:"server_error_rate,omitempty"`
	// RateLimited answers the next N API requests with the CRM's 429.
	RateLimited int `json:"rate_limited,omitempty"`
	// DropConnections closes the next N API connections without an answer.
	DropConnections int `json:"drop_connections,omitempty"`
	// DuplicateDeliveries sends the next N webhook deliveries twice.
	DuplicateDeliveries int `json:"duplicate_deliveries,omitempty"`
	// Reorder delivers queued webhook batches in a shuffled order.
	Reorder bool `json:"reorder,omitempty"`
	// Outage makes every API request fail with a 5xx until cleared.
	Outage bool `json:"outage,omitempty"`
}

// Responder writes a CRM-specific fault answer.
type Responder func(w http.ResponseWriter, r *http.Request)

// Injector holds the plan in force. The zero value injects nothing and is
// ready to use.
type Injector struct {
	mu   sync.Mutex
	plan Plan
	rnd  *rand.Rand
}

// Set replaces the plan in force.
func (i *Injector) Set(p Plan) {
	i.mu.Lock()
	i.plan = p
	i.mu.Unlock()
}

// Update changes the plan in force under the injector's lock.
func (i *Injector) Update(f func(*Plan)) {
	i.mu.Lock()
	f(&i.plan)
	i.mu.Unlock()
}

// Plan returns a copy of the plan in force.
func (i *Injector) Plan() Plan {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.plan
}

// Reset clears every fault.
func (i *Injector) Reset() { i.Set(Plan{}) }

type action int

const (
	pass action = iota
	serverError
	rateLimited
	drop
)

func (i *Injector) next() (time.Duration, action) {
	i.mu.Lock()
	defer i.mu.Unlock()
	p := &i.plan
	if i.rnd == nil {
		i.rnd = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	}
	switch {
	case p.DropConnections > 0:
		p.DropConnections--
		return p.Latency, drop
	case p.Outage:
		return p.Latency, serverError
	case p.ServerErrors > 0:
		p.ServerErrors--
		return p.Latency, serverError
	case p.RateLimited > 0:
		p.RateLimited--
		return p.Latency, rateLimited
	case p.ServerErrorRate > 0 && i.rnd.Float64() < p.ServerErrorRate:
		return p.Latency, serverError
	}
	return p.Latency, pass
}

// Middleware applies the plan to API requests. serverErr and tooMany write the
// CRM's own 5xx and 429 answers.
func (i *Injector) Middleware(serverErr, tooMany Responder) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			delay, act := i.next()
			if delay > 0 {
				t := time.NewTimer(delay)
				select {
				case <-t.C:
				case <-r.Context().Done():
					t.Stop()
					return
				}
			}
			switch act {
			case drop:
				if hj, ok := w.(http.Hijacker); ok {
					if conn, _, err := hj.Hijack(); err == nil {
						_ = conn.Close()
						return
					}
				}
				panic(http.ErrAbortHandler)
			case serverError:
				serverErr(w, r)
			case rateLimited:
				tooMany(w, r)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// TakeDuplicate reports whether the next webhook delivery should be sent twice.
func (i *Injector) TakeDuplicate() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.plan.DuplicateDeliveries > 0 {
		i.plan.DuplicateDeliveries--
		return true
	}
	return false
}

// Shuffle reorders items in place when the plan says Reorder.
func Shuffle[T any](i *Injector, items []T) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if !i.plan.Reorder {
		return
	}
	if i.rnd == nil {
		i.rnd = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	}
	i.rnd.Shuffle(len(items), func(a, b int) { items[a], items[b] = items[b], items[a] })
}

// Handler serves the plan as JSON: GET reads it, PUT replaces it, DELETE
// clears it. Mounted by the standalone simulators under /_sim/faults.
func (i *Injector) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodPut, http.MethodPost:
			var p Plan
			dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				http.Error(w, "bad fault plan: "+err.Error(), http.StatusBadRequest)
				return
			}
			i.Set(p)
		case http.MethodDelete:
			i.Reset()
		default:
			w.Header().Set("Allow", "GET, PUT, DELETE")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(i.Plan())
	})
}

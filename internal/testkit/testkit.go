// Package testkit holds the small fakes the packages' tests share: a clock
// the test moves by hand, a log buffer safe to write from server goroutines,
// and an in-memory credential store shared by simulated replicas.
package testkit

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/hubforce/hubforce"
)

// Clock is an injected clock the test moves by hand.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// LogBuffer collects log output written from several goroutines.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Credentials is an in-memory hubforce.CredentialStore; give the same one to
// several clients to play replicas sharing a database.
type Credentials struct {
	lock  chan struct{}
	mu    sync.Mutex
	cred  hubforce.Credential
	has   bool
	saves []hubforce.Credential
}

// NewCredentials returns an empty store.
func NewCredentials() *Credentials { return &Credentials{lock: make(chan struct{}, 1)} }

func (m *Credentials) LoadCredential(context.Context, hubforce.Side) (hubforce.Credential, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cred, m.has, nil
}

func (m *Credentials) SaveCredential(_ context.Context, _ hubforce.Side, c hubforce.Credential) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cred, m.has = c, true
	m.saves = append(m.saves, c)
	return nil
}

func (m *Credentials) LockCredential(ctx context.Context, _ hubforce.Side) (func(), error) {
	select {
	case m.lock <- struct{}{}:
		return func() { <-m.lock }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Saved lists every credential saved, oldest first.
func (m *Credentials) Saved() []hubforce.Credential {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]hubforce.Credential(nil), m.saves...)
}

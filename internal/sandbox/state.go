package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/salesforcesim"
)

// The state folder's files.
const (
	databaseFile   = "bridge.db"
	simulatorsFile = "simulators.json"
)

// saveInterval is how often the simulators' records are saved while the
// sandbox runs, so that an unclean stop loses little (ids never repeat: the
// simulators skip ahead on load).
const saveInterval = 5 * time.Second

// savedSimulators is simulators.json: both accounts, and the instance name
// the bridge's store records as its owner.
type savedSimulators struct {
	Instance   string          `json:"instance"`
	Saved      time.Time       `json:"saved"`
	HubSpot    json.RawMessage `json:"hubspot"`
	Salesforce json.RawMessage `json:"salesforce"`
}

// state is this run's state folder.
type state struct {
	dir      string
	instance string
	saved    *savedSimulators // the previous run's, with KeepState
}

// prepareState makes the state folder, and for a fresh run clears what a
// previous run left there; with KeepState it reads the simulators' records
// back.
func prepareState(o Options) (*state, error) {
	if err := os.MkdirAll(o.StateDir, 0o755); err != nil {
		return nil, fmt.Errorf("sandbox state folder (--state-dir): %w", err)
	}
	st := &state{dir: o.StateDir}
	path := filepath.Join(o.StateDir, simulatorsFile)
	if o.KeepState {
		b, err := os.ReadFile(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("reading the simulators' state: %w", err)
		default:
			var saved savedSimulators
			if err := json.Unmarshal(b, &saved); err != nil || saved.Instance == "" {
				return nil, fmt.Errorf("%s is not a sandbox state file (start without --keep-state for a fresh sandbox): %v", path, err)
			}
			st.saved, st.instance = &saved, saved.Instance
			return st, nil
		}
	} else {
		// The store and the simulators start over together. A store the
		// user named (--database) is theirs: the bridge refuses it if it
		// belongs to other simulators.
		clear := []string{simulatorsFile}
		if o.DatabaseURL == "" {
			clear = append(clear, databaseFile, databaseFile+"-wal", databaseFile+"-shm", databaseFile+"-journal")
		}
		for _, f := range clear {
			if err := os.Remove(filepath.Join(o.StateDir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("clearing the previous sandbox run: %w", err)
			}
		}
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("naming the simulators: %w", err)
	}
	st.instance = "sandbox-" + time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
	return st, nil
}

// load puts the previous run's records into the simulators.
func (st *state) load(hs *hubspotsim.Server, sf *salesforcesim.Server) error {
	if st.saved == nil {
		return nil
	}
	if err := hs.LoadState(bytes.NewReader(st.saved.HubSpot)); err != nil {
		return err
	}
	return sf.LoadState(bytes.NewReader(st.saved.Salesforce))
}

// save writes both simulators' records, replacing the file atomically.
func (st *state) save(hs *hubspotsim.Server, sf *salesforcesim.Server) error {
	var h, s bytes.Buffer
	if err := hs.SaveState(&h); err != nil {
		return err
	}
	if err := sf.SaveState(&s); err != nil {
		return err
	}
	b, err := json.Marshal(savedSimulators{Instance: st.instance, Saved: time.Now().UTC(), HubSpot: h.Bytes(), Salesforce: s.Bytes()})
	if err != nil {
		return fmt.Errorf("encoding the simulators' state: %w", err)
	}
	path := filepath.Join(st.dir, simulatorsFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("saving the simulators' state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("saving the simulators' state: %w", err)
	}
	return nil
}

// saveEvery saves the simulators' records every interval until ctx ends.
func (st *state) saveEvery(ctx context.Context, hs *hubspotsim.Server, sf *salesforcesim.Server, every time.Duration, log zerolog.Logger) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := st.save(hs, sf); err != nil {
				log.Warn().Str("component", "sandbox").Err(err).Msg("saving the simulators' state; retrying")
			}
		}
	}
}

// forgetSessions drops the access tokens a kept store holds, keeping the
// refresh tokens: the simulators listen on new addresses each run, and a
// Salesforce session names the instance URL of the last run's, where no one
// answers now. The bridge then refreshes and learns the new one, as it does
// when a real org moves instance.
func forgetSessions(ctx context.Context, databaseURL string) error {
	st, err := bridge.OpenStore(ctx, config.Config{DatabaseURL: databaseURL, SecretKey: secretKey}, bridge.Migrating)
	if err != nil {
		return fmt.Errorf("the kept sandbox store: %w", err)
	}
	defer func() { _ = st.Close() }()
	for _, side := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		c, ok, err := st.LoadCredential(ctx, side)
		if err != nil || !ok {
			continue // sealed under another key, or none: the bridge starts from its configuration
		}
		c.AccessToken, c.InstanceURL, c.Expiry = "", "", time.Time{}
		if err := st.SaveCredential(ctx, side, c); err != nil {
			return fmt.Errorf("the kept sandbox store: %w", err)
		}
	}
	return nil
}

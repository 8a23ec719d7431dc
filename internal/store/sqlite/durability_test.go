package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/store/storetest"
)

const helperVar = "HUBFORCE_STORE_KILL_HELPER_DB"

func change(id string) hubforce.Change {
	return hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "r-" + id,
		Kind: hubforce.KindUpdate, DeliveryID: id, Version: time.Unix(1770000000, 0),
		Fields: map[string]string{"email": id + "@example.com"}}
}

// TestKillHelper is the process TestAckedChangesSurviveSIGKILL kills: it
// ingests from several goroutines, printing each delivery id once Ingest
// has returned, until it is killed.
func TestKillHelper(t *testing.T) {
	url := os.Getenv(helperVar)
	if url == "" {
		t.Skip("run by TestAckedChangesSurviveSIGKILL")
	}
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("w%d-%d", w, i)
				if _, err := s.Ingest(context.Background(), []hubforce.Change{change(id)}); err != nil {
					fmt.Fprintln(os.Stderr, err)
					return
				}
				mu.Lock()
				fmt.Println("acked", id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// TestAckedChangesSurviveSIGKILL kills a process mid-ingest, without any
// close or checkpoint, and checks that every change it acknowledged is in
// the database.
func TestAckedChangesSurviveSIGKILL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kill.db")
	url := "sqlite:" + path
	if err := store.Migrate(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperVar+"="+url)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		id, ok := strings.CutPrefix(lines.Text(), "acked ")
		if !ok {
			continue
		}
		acked = append(acked, id)
		if len(acked) == 300 {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
	}
	_ = cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("helper acknowledged only %d changes", len(acked))
	}
	if info, err := os.Stat(path + "-wal"); err != nil || info.Size() == 0 {
		t.Fatalf("no write-ahead log left by the killed process (%v): the test would not test recovery", err)
	}

	s := storetest.Open(t, url)
	changes := make([]hubforce.Change, len(acked))
	for i, id := range acked {
		changes[i] = change(id)
	}
	decisions, err := s.Ingest(context.Background(), changes)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range decisions {
		if d != hubforce.Duplicate {
			t.Fatalf("acknowledged change %s was lost (now %s)", acked[i], d)
		}
	}
	q, err := s.QueueStats(context.Background(), hubforce.Salesforce)
	if err != nil {
		t.Fatal(err)
	}
	if q.Pending < int64(len(acked)) {
		t.Fatalf("%d pending changes, want at least the %d acknowledged", q.Pending, len(acked))
	}
	t.Logf("%d acknowledged before SIGKILL, %d pending after", len(acked), q.Pending)
}

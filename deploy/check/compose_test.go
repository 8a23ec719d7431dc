package check

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
)

// TestComposeFileLoads loads deploy/docker-compose.yaml with compose-spec's
// own loader (schema validation, env files read), as `docker compose` does.
func TestComposeFileLoads(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"../docker-compose.yaml"}, cli.WithWorkingDirectory(".."), cli.WithName("hubforce"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(t.Context())
	if err != nil {
		t.Fatalf("docker-compose.yaml: %v", err)
	}
	for _, name := range []string{"postgres", "migrate", "hubforce"} {
		if _, err := p.GetService(name); err != nil {
			t.Fatalf("service %s: %v", name, err)
		}
	}
	hf, _ := p.GetService("hubforce")
	if !slices.Equal([]string(hf.Command), []string{"serve"}) {
		t.Errorf("hubforce runs %v, want serve", hf.Command)
	}
	if dep, ok := hf.DependsOn["migrate"]; !ok || dep.Condition != "service_completed_successfully" {
		t.Error("hubforce does not wait for the migration to finish")
	}
	for _, name := range []string{"migrate", "hubforce"} {
		s, _ := p.GetService(name)
		if len(s.EnvFiles) == 0 {
			t.Fatalf("%s reads no env file", name)
		}
		for _, f := range s.EnvFiles {
			if _, err := os.Stat(f.Path); err != nil && bool(f.Required) {
				t.Errorf("%s: required env file %s is missing", name, f.Path)
			}
		}
		if u := s.Environment["HUBFORCE_DATABASE_URL"]; u == nil || !strings.HasPrefix(*u, "postgres://") {
			t.Errorf("%s: HUBFORCE_DATABASE_URL is not the compose PostgreSQL", name)
		}
		if s.Environment["HUBFORCE_ADMIN_TOKEN"] == nil {
			t.Errorf("%s: the example env file's variables did not reach the service", name)
		}
	}
	checkDocumented(t, "deploy/hubforce.env.example", envFile(t, "../hubforce.env.example"))
}

func envFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: %q is not NAME=value", path, line)
		}
		vars[k] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return vars
}

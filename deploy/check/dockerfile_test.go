package check

import (
	"os"
	"strings"
	"testing"
)

// TestDockerfile: a static binary on distroless as a non-root user, and no
// HEALTHCHECK (the image has no shell or client to run one; the
// orchestrator probes /healthz and /readyz).
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var from []string
	user := ""
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "HEALTHCHECK":
			t.Error("the Dockerfile has a HEALTHCHECK; probes come from the orchestrator")
		case "FROM":
			from = append(from, fields[1])
		case "USER":
			user = fields[1]
		}
	}
	if len(from) < 2 || !strings.HasPrefix(from[len(from)-1], "gcr.io/distroless/static") {
		t.Errorf("the final stage is %v, want a distroless static base", from)
	}
	if !strings.HasPrefix(user, "nonroot") {
		t.Errorf("runs as %q, want nonroot", user)
	}
	if !strings.Contains(string(b), "CGO_ENABLED=0") {
		t.Error("the binary is not built static (CGO_ENABLED=0)")
	}
}

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

const (
	rulesFile     = "../../deploy/prometheus/hubforce-rules.yaml"
	dashboardFile = "../../deploy/prometheus/grafana-dashboard.json"
)

// ruleFile is the part of a Prometheus rule file the checks read.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Record      string            `yaml:"record"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

type query struct{ where, expr string }

func alertQueries(t *testing.T) []query {
	t.Helper()
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var f ruleFile
	if err := yaml.UnmarshalWithOptions(b, &f, yaml.Strict()); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	var out []query
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			out = append(out, query{"rule " + r.Alert + r.Record, r.Expr})
		}
	}
	return out
}

func dashboardQueries(t *testing.T) []query {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	var out []query
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out = append(out, query{"panel " + p.Title, tg.Expr})
		}
	}
	return out
}

var (
	seriesName = regexp.MustCompile(`\bhubforce_[a-z0-9_]+`)
	// A selector's matchers: name{label op "value", …}.
	selector = regexp.MustCompile(`\b(hubforce_[a-z0-9_]+)\{([^}]*)\}`)
	matcher  = regexp.MustCompile(`([a-z_]+)\s*(=~|!~|!=|=)\s*"([^"]*)"`)
)

// exposition is a scrape: label sets per sample name.
type exposition map[string][]map[string]string

func parseExposition(page string) exposition {
	out := exposition{}
	label := regexp.MustCompile(`([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"`)
	for _, line := range strings.Split(page, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, _ := strings.Cut(line, "{")
		name, _, _ = strings.Cut(name, " ")
		labels := map[string]string{}
		if rest != "" {
			for _, m := range label.FindAllStringSubmatch(rest[:strings.LastIndexByte(rest, '}')], -1) {
				labels[m[1]] = m[2]
			}
		}
		out[name] = append(out[name], labels)
	}
	return out
}

// checkQuery says what in expr names a series, a label or a label value
// the scrape does not have.
func checkQuery(x exposition, expr string) []string {
	var problems []string
	for _, name := range seriesName.FindAllString(expr, -1) {
		if _, ok := x[name]; !ok {
			problems = append(problems, "series "+name+" is not exported")
		}
	}
	for _, sel := range selector.FindAllStringSubmatch(expr, -1) {
		name := sel[1]
		for _, m := range matcher.FindAllStringSubmatch(sel[2], -1) {
			label, op, value := m[1], m[2], m[3]
			has := slices.ContainsFunc(x[name], func(l map[string]string) bool {
				v, ok := l[label]
				return ok && (op != "=" || v == value)
			})
			if !has {
				problems = append(problems, fmt.Sprintf("%s has no series with %s%s%q", name, label, op, value))
			}
		}
	}
	return problems
}

// TestAlertRulesAndDashboardNameExportedSeries scrapes a running bridge
// and checks that every query of deploy/prometheus names only series,
// labels and label values it exports; with promtool installed (CI installs
// it) the rules and the dashboard's queries also pass `promtool check
// rules`.
func TestAlertRulesAndDashboardNameExportedSeries(t *testing.T) {
	e := startOnSQLite(t)
	// One change each way, so that the API call series exist.
	if _, err := e.HubSpot.Create("contacts", map[string]string{"email": "alerts@example.com", "lastname": "Alerts"}, ui); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the contact to reach Salesforce", 30*time.Second, func() (bool, error) {
		return len(sfContactsByEmail(e, "alerts@example.com")) == 1, nil
	})
	code, page, err := Get(e.BridgeURLs[0] + "/metrics")
	if err != nil || code != 200 {
		t.Fatalf("/metrics: %d %v", code, err)
	}
	x := parseExposition(page)
	queries := append(alertQueries(t), dashboardQueries(t)...)
	if len(queries) < 10 {
		t.Fatalf("only %d queries found", len(queries))
	}
	for _, q := range queries {
		for _, p := range checkQuery(x, q.expr) {
			t.Errorf("%s: %s\n  %s", q.where, p, q.expr)
		}
	}
	promtool(t, dashboardQueries(t))
}

// promtool runs `promtool check rules` on the rule file and on the
// dashboard's queries written as recording rules, so that both parse as
// PromQL. CI must have it; elsewhere it is skipped with a message.
func promtool(t *testing.T, dashboard []query) {
	t.Helper()
	bin, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool is missing; .ci/run installs it (Debian package prometheus)")
		}
		t.Log("promtool is not installed (apt-get install prometheus): the PromQL syntax check is skipped")
		return
	}
	var b strings.Builder
	b.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	for i, q := range dashboard {
		fmt.Fprintf(&b, "      - record: dashboard:query_%d\n        expr: %q\n", i, q.expr)
	}
	generated := filepath.Join(t.TempDir(), "dashboard-rules.yaml")
	if err := os.WriteFile(generated, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "check", "rules", rulesFile, generated).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

func TestCheckQueryFindsWhatIsNotExported(t *testing.T) {
	x := parseExposition("# HELP x\nhubforce_a{to=\"hubspot\",state=\"paused\"} 1\nhubforce_b 2\n")
	if p := checkQuery(x, `max(hubforce_a{state="paused"}) + hubforce_b`); len(p) != 0 {
		t.Fatalf("problems in a good query: %v", p)
	}
	for expr, want := range map[string]string{
		`hubforce_c`:                   "series hubforce_c is not exported",
		`hubforce_a{state="flowingg"}`: `hubforce_a has no series with state="flowingg"`,
		`hubforce_a{kind=~"x"}`:        `hubforce_a has no series with kind=~"x"`,
	} {
		if p := checkQuery(x, expr); len(p) != 1 || p[0] != want {
			t.Errorf("%s: %v, want %q", expr, p, want)
		}
	}
}

// startOnSQLite starts an environment on an SQLite file of the test's,
// stopped when the test ends.
func startOnSQLite(t *testing.T) *Env {
	t.Helper()
	e, err := Start(context.Background(), Options{DatabaseURL: "sqlite:" + filepath.Join(t.TempDir(), "e2e.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Stop(); err != nil {
			t.Errorf("stopping the bridge: %v", err)
		}
	})
	return e
}

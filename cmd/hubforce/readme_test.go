package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/sandbox"
)

// The README's sections this test holds to the program. Others (the HTTP
// endpoints, connecting real accounts) are checked by their own tests.
var readmeSections = []string{"Quick start", "Commands", "Configuration", "Development"}

// notConfigVariables are read by the test suite, not by hubforce.
var notConfigVariables = []string{"HUBFORCE_TEST_POSTGRES_URL", "HUBFORCE_CONFORMANCE_DIR"}

func readme(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	parts := strings.Split("\n"+string(b), "\n## ")
	for _, p := range parts[1:] {
		title, body, _ := strings.Cut(p, "\n")
		if slices.Contains(readmeSections, title) {
			out[title] = body
		}
	}
	for _, s := range readmeSections {
		if out[s] == "" {
			t.Fatalf("README has no section %q", s)
		}
	}
	return out
}

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	variable = regexp.MustCompile(`HUBFORCE_[A-Z0-9_]+`)
	flagRE   = regexp.MustCompile(`--[a-z][a-z-]*`)
)

// Every `hubforce …` shown names commands that exist, with flags they take.
func TestREADMECommandsAndFlagsExist(t *testing.T) {
	root := newRoot()
	allFlags := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { allFlags["--"+f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { allFlags["--"+f.Name] = true })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	checked := 0
	for name, body := range readme(t) {
		var uses []string
		for _, m := range codeSpan.FindAllStringSubmatch(body, -1) {
			uses = append(uses, m[1])
		}
		uses = append(uses, shellLines(body)...)
		for _, u := range uses {
			u = strings.ReplaceAll(u, `\|`, "|")
			if rest, ok := strings.CutPrefix(u, "hubforce "); ok {
				checkUsage(t, root, name, rest)
				checked++
				continue
			}
			if strings.HasPrefix(u, "--") {
				for _, f := range flagRE.FindAllString(u, -1) {
					if !allFlags[f] {
						t.Errorf("%s: flag %s is no command's", name, f)
					}
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d commands found in the README", checked)
	}
}

// checkUsage resolves "sandbox [--only-simulators]", "dlq list|show ID…" or
// "explain hubspot|salesforce OBJECT ID" in the command tree and checks
// each flag against the command it reaches.
func checkUsage(t *testing.T, root *cobra.Command, section, usage string) {
	t.Helper()
	words := strings.Fields(strings.NewReplacer("[", " ", "]", " ").Replace(usage))
	cur := root
	for i, w := range words {
		if strings.HasPrefix(w, "-") {
			break
		}
		if !cur.HasSubCommands() {
			break
		}
		var next *cobra.Command
		for _, alt := range strings.Split(w, "|") {
			found := false
			for _, sub := range cur.Commands() {
				if sub.Name() == strings.TrimSuffix(alt, "…") {
					found = true
					if next == nil {
						next = sub
					}
				}
			}
			if !found && i == 0 {
				t.Errorf("%s: `hubforce %s`: no command %q", section, usage, alt)
			}
		}
		if next == nil {
			t.Errorf("%s: `hubforce %s`: %s has no subcommand %q", section, usage, cur.CommandPath(), w)
			return
		}
		cur = next
	}
	for _, f := range flagRE.FindAllString(usage, -1) {
		name := strings.TrimPrefix(f, "--")
		if cur.Flags().Lookup(name) == nil && cur.InheritedFlags().Lookup(name) == nil {
			t.Errorf("%s: `hubforce %s`: %s has no flag %s", section, usage, cur.CommandPath(), f)
		}
	}
}

// shellLines are the commands of the README's sh blocks, comments cut.
func shellLines(body string) []string {
	var out []string
	in := false
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```sh"):
			in = true
		case strings.HasPrefix(line, "```"):
			in = false
		case in:
			cmd, _, _ := strings.Cut(line, "#")
			if cmd = strings.TrimSpace(cmd); cmd != "" {
				out = append(out, cmd)
			}
		}
	}
	return out
}

// The variables in the README are the ones hubforce reads, each listed in
// the Configuration table, with its default where the table gives one.
func TestREADMEVariablesAreConfigs(t *testing.T) {
	sections := readme(t)
	known := config.Variables()
	for name, body := range sections {
		for _, v := range variable.FindAllString(body, -1) {
			v = strings.TrimRight(v, "_")
			if !slices.Contains(known, v) && !slices.Contains(notConfigVariables, v) {
				t.Errorf("%s: %s is not a variable hubforce reads", name, v)
			}
		}
	}
	defaults := envDefaults(reflect.TypeFor[config.Config](), config.Prefix)
	listed := map[string]bool{}
	for _, line := range strings.Split(sections["Configuration"], "\n") {
		cells := strings.Split(line, " | ")
		if !strings.HasPrefix(line, "| `HUBFORCE_") || len(cells) < 3 {
			continue
		}
		var vars []string
		prefix := ""
		for _, m := range codeSpan.FindAllStringSubmatch(cells[0], -1) {
			v := m[1]
			if strings.HasPrefix(v, "_") { // `_CLIENT_SECRET` after HUBFORCE_SALESFORCE_CLIENT_ID
				v = prefix + strings.TrimPrefix(v, "_")
			} else if i := strings.Index(v[len(config.Prefix):], "_"); i >= 0 {
				prefix = v[:len(config.Prefix)+i+1]
			}
			vars = append(vars, v)
		}
		for _, v := range vars {
			if !slices.Contains(known, v) {
				t.Errorf("Configuration: %s is not a variable hubforce reads", v)
			}
			listed[v] = true
		}
		var given []string
		for _, m := range codeSpan.FindAllStringSubmatch(strings.TrimSuffix(cells[len(cells)-1], " |"), -1) {
			given = append(given, m[1])
		}
		if len(given) == len(vars) {
			for i, v := range vars {
				if d, ok := defaults[v]; ok && d != given[i] {
					t.Errorf("Configuration: %s defaults to %q, the README says %q", v, d, given[i])
				}
			}
		}
	}
	for _, v := range known {
		if !listed[v] {
			t.Errorf("Configuration: %s is read but not listed", v)
		}
	}
}

func envDefaults(t reflect.Type, prefix string) map[string]string {
	out := map[string]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		if p, ok := f.Tag.Lookup("envPrefix"); ok {
			for k, v := range envDefaults(f.Type, prefix+p) {
				out[k] = v
			}
		} else if d, ok := f.Tag.Lookup("envDefault"); ok {
			out[prefix+f.Tag.Get("env")] = d
		}
	}
	return out
}

// The sandbox's addresses and state folder are the ones the README gives,
// and its Quick start runs: install the binary, start the sandbox (on free
// ports, so that the test does not depend on 8080-8082 being free), stop it,
// and find the state where the README says. `./scripts/test` is what runs
// this test, so it is not run again.
func TestREADMEQuickStartRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	quick := readme(t)["Quick start"]
	sb, _, err := newRoot().Find([]string{"sandbox"})
	if err != nil {
		t.Fatal(err)
	}
	for flag, addr := range map[string]string{"listen": "127.0.0.1:8080", "hubspot-addr": "127.0.0.1:8081", "salesforce-addr": "127.0.0.1:8082"} {
		if got := sb.Flags().Lookup(flag).DefValue; got != addr || !strings.Contains(quick, "`"+addr+"`") || !strings.Contains(quick, "`--"+flag+"`") {
			t.Errorf("--%s defaults to %s; the README must say `%s` and name the flag", flag, got, addr)
		}
	}
	if !strings.Contains(quick, "`./"+sandbox.DefaultStateDir+"/`") {
		t.Errorf("the README does not say the state is in ./%s/", sandbox.DefaultStateDir)
	}

	gobin := t.TempDir()
	work := t.TempDir()
	ran := 0
	for _, line := range shellLines(quick) {
		words := strings.Fields(line)
		switch {
		case line == "./scripts/test":
			continue
		case words[0] == "go":
			cmd := exec.Command(words[0], words[1:]...)
			cmd.Dir = "../.."
			cmd.Env = append(os.Environ(), "GOBIN="+gobin)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", line, err, out)
			}
		case words[0] == "hubforce" && words[1] == "setup":
			cmd := exec.Command(filepath.Join(gobin, "hubforce"), words[1:]...)
			cmd.Dir = t.TempDir()
			if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "a record synced each way") {
				t.Fatalf("%s: %v\n%s", line, err, out)
			}
		case words[0] == "hubforce" && words[1] == "sandbox":
			args := append(words[1:], "--listen", "127.0.0.1:0", "--hubspot-addr", "127.0.0.1:0", "--salesforce-addr", "127.0.0.1:0")
			runSandboxBriefly(t, filepath.Join(gobin, "hubforce"), work, args)
		default:
			t.Fatalf("the Quick start has a command this test does not know how to run: %s", line)
		}
		ran++
	}
	if ran < 3 {
		t.Fatalf("ran %d Quick start commands", ran)
	}
	for _, f := range []string{"bridge.db", "simulators.json"} {
		if !strings.Contains(quick, "`"+f+"`") {
			t.Errorf("the README does not name %s", f)
		}
		if _, err := os.Stat(filepath.Join(work, sandbox.DefaultStateDir, f)); err != nil {
			t.Errorf("after the sandbox ran: %v", err)
		}
	}
}

// runSandboxBriefly starts the sandbox, waits for its banner and stops it
// as Ctrl-C does.
func runSandboxBriefly(t *testing.T, bin, dir string, args []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Ctrl-C stops everything") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("hubforce %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
}

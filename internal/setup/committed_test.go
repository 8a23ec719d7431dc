package setup_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/setup"
)

// TestCommittedProjects holds deploy/hubspot and deploy/salesforce to the
// generators' output for the default mapping and the placeholder URL.
// Regenerate with HUBFORCE_UPDATE_DEPLOY=1 go test ./internal/setup.
func TestCommittedProjects(t *testing.T) {
	p := setup.Params{PublicURL: setup.PlaceholderURL, Mapping: mapping.Default()}
	for _, c := range []struct {
		dir string
		gen func(setup.Params) (map[string][]byte, error)
	}{
		{"../../deploy/hubspot", setup.HubSpotProject},
		{"../../deploy/salesforce", setup.SalesforceProject},
	} {
		t.Run(filepath.Base(c.dir), func(t *testing.T) {
			files, err := c.gen(p)
			if err != nil {
				t.Fatal(err)
			}
			if os.Getenv("HUBFORCE_UPDATE_DEPLOY") == "1" {
				if err := setup.Write(c.dir, files); err != nil {
					t.Fatal(err)
				}
			}
			for rel, want := range files {
				got, err := os.ReadFile(filepath.Join(c.dir, filepath.FromSlash(rel)))
				if err != nil {
					t.Errorf("%s: %v (regenerate with HUBFORCE_UPDATE_DEPLOY=1 go test ./internal/setup)", rel, err)
					continue
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s/%s differs from the generator's output; regenerate with HUBFORCE_UPDATE_DEPLOY=1 go test ./internal/setup", c.dir, rel)
				}
			}
			var extra []string
			err = filepath.WalkDir(c.dir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, err := filepath.Rel(c.dir, path)
				if err != nil {
					return err
				}
				rel = filepath.ToSlash(rel)
				if _, ok := files[rel]; !ok && rel != "README.md" && rel != "validate.mjs" {
					extra = append(extra, rel)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(extra) > 0 {
				t.Errorf("%s holds files the generator does not write: %v", c.dir, extra)
			}
		})
	}
}

package admin

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/goccy/go-yaml"
)

type openapiDoc struct {
	Paths      map[string]map[string]any `yaml:"paths"`
	Components map[string]map[string]any `yaml:"components"`
}

func loadOpenAPI(t *testing.T) (openapiDoc, map[string]any) {
	t.Helper()
	b, err := os.ReadFile("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc openapiDoc
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return doc, raw
}

var httpMethods = []string{"get", "put", "post", "delete", "patch", "head", "options"}

// TestOpenAPIMatchesRouter: every route registered is documented, and every
// documented admin or dashboard operation is registered.
func TestOpenAPIMatchesRouter(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	api, err := New(Config{Token: "x"})
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	err = chi.Walk(api.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		registered[strings.ToLower(method)+" "+route] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method, op := range item {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			tags, _ := op.(map[string]any)["tags"].([]any)
			if slices.Contains(tags, any("admin")) || slices.Contains(tags, any("dashboard")) {
				documented[method+" "+path] = true
			}
		}
	}
	if len(registered) < 15 {
		t.Fatalf("only %d routes walked: %v", len(registered), registered)
	}
	for r := range registered {
		if !documented[r] {
			t.Errorf("route %s is not documented (with tag admin or dashboard) in api/openapi.yaml", r)
		}
	}
	for d := range documented {
		if !registered[d] {
			t.Errorf("api/openapi.yaml documents %s, which the router does not register", d)
		}
	}
}

// TestOpenAPIRefsResolve catches a $ref to a component that is not there.
func TestOpenAPIRefsResolve(t *testing.T) {
	doc, raw := loadOpenAPI(t)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				if k == "$ref" {
					ref, _ := c.(string)
					parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
					if len(parts) != 2 || doc.Components[parts[0]][parts[1]] == nil {
						t.Errorf("unresolved $ref %q", ref)
					}
					continue
				}
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(raw)
	errSchema, _ := doc.Components["schemas"]["Error"].(map[string]any)
	if errSchema == nil {
		t.Fatal("no Error schema")
	}
	if _, ok := doc.Components["securitySchemes"]["adminBearer"]; !ok {
		t.Fatal("no adminBearer security scheme")
	}
}

package admin

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestMountable: both ways of wiring the admin API into the server's router
// keep the server's own routes answering.
func TestMountable(t *testing.T) {
	e := newEnv(t)
	for name, wire := range map[string]func(r chi.Router){
		"Routes":  func(r chi.Router) { e.api.Routes(r) },
		"Mount /": func(r chi.Router) { r.Mount("/", e.api.Handler()) },
	} {
		t.Run(name, func(t *testing.T) {
			r := chi.NewRouter()
			r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
			wire(r)
			for path, want := range map[string]int{"/healthz": http.StatusTeapot, "/api/v1/status": http.StatusOK, "/": http.StatusOK} {
				hr := httptest.NewRequest(http.MethodGet, path, nil)
				hr.Header.Set("Authorization", "Bearer "+testToken)
				w := httptest.NewRecorder()
				r.ServeHTTP(w, hr)
				if w.Code != want {
					t.Fatalf("GET %s = %d, want %d", path, w.Code, want)
				}
			}
		})
	}
}

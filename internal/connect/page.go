package connect

import (
	"html/template"
	"net/http"

	"github.com/hubforce/hubforce/internal/webui"
)

// pageTmpl looks like the dashboard (the same style sheet and top bar)
// and always offers the way back to it.
var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{"style": webui.Style}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · hubforce</title><style>{{style}}</style></head>
<body>
<header class="top"><a class="brand" href="/"><span class="hs">hub</span><span class="sf">force</span></a>
<nav><a href="/">Sync health</a><a href="/dashboard/dead-letters">Dead letters</a><a href="/dashboard/explain">Explain a record</a></nav></header>
<main><div class="center card" style="max-width:560px">
<h1>{{.Title}}</h1>
<div class="alert {{.Class}}">{{.Message}}</div>
<div class="actions"><a class="button" href="/">Back to the dashboard</a></div>
</div></main>
</body></html>
`))

// page answers with a small HTML page; html/template escapes everything
// that came from a provider or a URL.
func page(w http.ResponseWriter, status int, title, message string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The callback URL carries the code: keep it out of Referer headers.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	class := "bad"
	if status < 300 {
		class = "ok"
	}
	_ = pageTmpl.Execute(w, struct{ Title, Message, Class string }{title, message, class})
}

// Package webui holds the look the operators' pages share (the dashboard
// in internal/admin, the Connect pages in internal/connect), so that every
// page a person sees is styled alike and none needs a file from elsewhere.
package webui

import (
	_ "embed"
	"html/template"
)

//go:embed style.css
var style string

// Style is the pages' style sheet, to be inlined in a <style> element (the
// pages' Content-Security-Policy allows inline styles and nothing else).
func Style() template.CSS { return template.CSS(style) } //nolint:gosec // our own file

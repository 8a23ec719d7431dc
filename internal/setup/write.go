package setup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Write writes files (relative, slash-separated paths) under dir, creating
// directories as needed. It refuses a dir that holds anything but files a
// generator writes (a previous output is overwritten in place, so
// regenerating after a mapping change is one command); files of a previous
// output that the new one lacks are removed, so a field dropped from the
// mapping leaves no stale metadata behind.
func Write(dir string, files map[string][]byte) error {
	for rel := range files {
		if !validRel(rel) {
			return fmt.Errorf("write %s: bad relative path %q", dir, rel)
		}
	}
	existing, err := listFiles(dir)
	if err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	for _, rel := range existing {
		if !generated(rel) {
			return fmt.Errorf("write %s: %s is not a file hubforce setup writes; choose an empty or new directory", dir, rel)
		}
	}
	for _, rel := range existing {
		if _, keep := files[rel]; !keep && !kept(rel) {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
				return fmt.Errorf("write %s: remove stale %s: %w", dir, rel, err)
			}
		}
	}
	paths := make([]string, 0, len(files))
	for rel := range files {
		paths = append(paths, rel)
	}
	slices.Sort(paths)
	for _, rel := range paths {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", dir, err)
		}
		if err := os.WriteFile(p, files[rel], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", dir, err)
		}
	}
	return nil
}

func validRel(rel string) bool {
	return rel != "" && !strings.HasPrefix(rel, "/") && !strings.Contains(rel, "\\") &&
		!slices.Contains(strings.Split(rel, "/"), "..") && filepath.IsLocal(filepath.FromSlash(rel))
}

// listFiles lists the regular files under dir, slash-separated and
// relative; a missing dir has none.
func listFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return out, err
}

// kept says whether rel is a file kept beside a generator's output (the
// README and validate.mjs in deploy/): allowed in dir, never removed.
func kept(rel string) bool {
	switch rel {
	case "README.md", "validate.mjs", ".forceignore":
		return true
	}
	return false
}

// generated says whether rel is a file one of the generators writes, or
// a kept one.
func generated(rel string) bool {
	if kept(rel) || rel == "hsproject.json" || rel == "sfdx-project.json" {
		return true
	}
	return strings.HasPrefix(rel, "src/app/") && strings.HasSuffix(rel, "-hsmeta.json") ||
		strings.HasPrefix(rel, "force-app/main/default/") && strings.HasSuffix(rel, "-meta.xml")
}

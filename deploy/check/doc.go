// Package check holds the tests that decode every deployment file strictly
// into the types of the tool that reads it: the Kubernetes manifests into
// the Kubernetes API types, the compose file with compose-spec's loader. It
// is a module of its own, so that the hubforce binary does not carry
// Kubernetes' or compose's code; .ci/run runs its tests.
package check

package check

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

const k8sDir = "../kubernetes"

// manifests decodes every document of every manifest strictly (unknown or
// duplicate fields fail) into its Kubernetes API type.
type manifests struct {
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	pdbs        []*policyv1.PodDisruptionBudget
	hpas        []*autoscalingv2.HorizontalPodAutoscaler
	configMaps  []*corev1.ConfigMap
	secrets     []*corev1.Secret
	files       []string
}

func decode(t *testing.T) manifests {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifests
	for _, p := range paths {
		if filepath.Base(p) == "kustomization.yaml" {
			continue
		}
		m.files = append(m.files, filepath.Base(p))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(b, []byte("\n---\n")) {
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				t.Fatalf("%s document %d: %v", p, i, err)
			}
			var obj any
			switch tm.APIVersion + " " + tm.Kind {
			case "apps/v1 Deployment":
				d := &appsv1.Deployment{}
				m.deployments, obj = append(m.deployments, d), d
			case "v1 Service":
				s := &corev1.Service{}
				m.services, obj = append(m.services, s), s
			case "policy/v1 PodDisruptionBudget":
				s := &policyv1.PodDisruptionBudget{}
				m.pdbs, obj = append(m.pdbs, s), s
			case "autoscaling/v2 HorizontalPodAutoscaler":
				s := &autoscalingv2.HorizontalPodAutoscaler{}
				m.hpas, obj = append(m.hpas, s), s
			case "v1 ConfigMap":
				s := &corev1.ConfigMap{}
				m.configMaps, obj = append(m.configMaps, s), s
			case "v1 Secret":
				s := &corev1.Secret{}
				m.secrets, obj = append(m.secrets, s), s
			default:
				t.Fatalf("%s document %d: %q %q is not a kind this test knows", p, i, tm.APIVersion, tm.Kind)
			}
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				t.Fatalf("%s document %d (%s): %v", p, i, tm.Kind, err)
			}
		}
	}
	return m
}

func TestManifestsDecodeStrictly(t *testing.T) {
	m := decode(t)
	if len(m.deployments) != 1 || len(m.services) != 1 || len(m.pdbs) != 1 || len(m.hpas) != 1 || len(m.configMaps) != 1 || len(m.secrets) != 1 {
		t.Fatalf("want one Deployment, Service, PodDisruptionBudget, HorizontalPodAutoscaler, ConfigMap and Secret; got %d %d %d %d %d %d",
			len(m.deployments), len(m.services), len(m.pdbs), len(m.hpas), len(m.configMaps), len(m.secrets))
	}
	d := m.deployments[0]
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		t.Fatal(err)
	}
	if !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Fatal("the Deployment's selector does not match its pods")
	}
	pods := labels.Set(d.Spec.Template.Labels)
	if !labels.SelectorFromSet(m.services[0].Spec.Selector).Matches(pods) {
		t.Error("the Service selects no hubforce pod")
	}
	if s, err := metav1.LabelSelectorAsSelector(m.pdbs[0].Spec.Selector); err != nil || !s.Matches(pods) {
		t.Errorf("the PodDisruptionBudget selects no hubforce pod (%v)", err)
	}
	hpa := m.hpas[0]
	if ref := hpa.Spec.ScaleTargetRef; ref.Kind != "Deployment" || ref.Name != d.Name || ref.APIVersion != "apps/v1" {
		t.Errorf("the HorizontalPodAutoscaler scales %+v, not the Deployment", ref)
	}
	if min := m.pdbs[0].Spec.MinAvailable.IntValue(); hpa.Spec.MinReplicas == nil || int(*hpa.Spec.MinReplicas) <= min {
		t.Error("the autoscaler's minimum must exceed the disruption budget's minAvailable, or no node can drain")
	}

	c := d.Spec.Template.Spec.Containers[0]
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Error("the readiness probe is not GET /readyz")
	}
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Error("the liveness probe is not GET /healthz")
	}
	if !slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.Name == "http" && p.ContainerPort == 8080 }) ||
		m.services[0].Spec.Ports[0].TargetPort.String() != "http" {
		t.Error("the Service does not reach the container's http port 8080")
	}
	grace := d.Spec.Template.Spec.TerminationGracePeriodSeconds
	if grace == nil || *grace < 35 {
		t.Error("terminationGracePeriodSeconds leaves no time for the preStop pause and HUBFORCE_SHUTDOWN_TIMEOUT (30s)")
	}
	for _, ctr := range append(d.Spec.Template.Spec.InitContainers, c) {
		for _, from := range ctr.EnvFrom {
			switch {
			case from.ConfigMapRef != nil && from.ConfigMapRef.Name != m.configMaps[0].Name:
				t.Errorf("%s reads ConfigMap %q, which is not here", ctr.Name, from.ConfigMapRef.Name)
			case from.SecretRef != nil && from.SecretRef.Name != m.secrets[0].Name:
				t.Errorf("%s reads Secret %q, which is not here", ctr.Name, from.SecretRef.Name)
			}
		}
		if sc := ctr.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Errorf("%s: the root filesystem is writable", ctr.Name)
		}
	}
	for k, v := range m.secrets[0].StringData {
		if !strings.Contains(v, "CHANGE-ME") {
			t.Errorf("the example Secret's %s holds a value that looks real; examples hold CHANGE-ME", k)
		}
	}
	vars := map[string]string{}
	for k, v := range m.configMaps[0].Data {
		vars[k] = v
	}
	for k, v := range m.secrets[0].StringData {
		vars[k] = v
	}
	checkDocumented(t, "deploy/kubernetes", vars)
}

// TestKustomizationListsEveryManifest: `kubectl apply -k` applies them all.
func TestKustomizationListsEveryManifest(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(k8sDir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The fields of kustomize's Kustomization this file uses, decoded
	// strictly (kustomize's own types would bring its module in).
	var k struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Labels     []struct {
			Pairs map[string]string `json:"pairs"`
		} `json:"labels"`
		Resources []string `json:"resources"`
		Images    []struct {
			Name   string `json:"name"`
			NewTag string `json:"newTag"`
		} `json:"images"`
	}
	if err := yaml.UnmarshalStrict(b, &k); err != nil {
		t.Fatal(err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Fatalf("kustomization is %s %s", k.APIVersion, k.Kind)
	}
	files := decode(t).files
	slices.Sort(files)
	res := slices.Clone(k.Resources)
	slices.Sort(res)
	if !slices.Equal(files, res) {
		t.Fatalf("kustomization resources %v, manifests %v", res, files)
	}
}

// checkDocumented: every variable an example sets is one the README's
// configuration documents (a misspelt name would be silently ignored).
func checkDocumented(t *testing.T, where string, vars map[string]string) {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name := range vars {
		if !strings.HasPrefix(name, "HUBFORCE_") {
			t.Errorf("%s sets %s, which is not a hubforce variable", where, name)
			continue
		}
		if !documented(string(readme), name) {
			t.Errorf("%s sets %s, which README.md does not document", where, name)
		}
	}
}

// documented finds name in the README, also where a row abbreviates a
// family: "`HUBFORCE_SALESFORCE_CLIENT_ID`, `_CLIENT_SECRET`".
func documented(readme, name string) bool {
	if strings.Contains(readme, "`"+name+"`") {
		return true
	}
	for _, line := range strings.Split(readme, "\n") {
		for _, m := range regexp.MustCompile("`(_[A-Z_]+)`").FindAllStringSubmatch(line, -1) {
			prefix := strings.TrimSuffix(name, m[1])
			if prefix != name && strings.Contains(line, "`"+prefix+"_") {
				return true
			}
		}
	}
	return false
}

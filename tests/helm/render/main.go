// Command render renders a Helm chart the way `helm template` does, without Helm: Go's
// text/template with sprig, plus Helm's own functions (include, tpl, required, toYaml, fromYaml,
// toJson, fromJson, lookup) and objects (.Values, .Release, .Chart, .Capabilities, .Template,
// .Files). It exists because the helm binary cannot be installed on the build machines; the
// chart must keep to what this renderer implements, and tests/scripts/helm_chart_test.sh checks
// its output against the Kubernetes and Prometheus Operator schemas.
//
// Usage:
//
//	render -chart DIR [-f values.yaml]... [-release NAME] [-namespace NS] [-out FILE]
//	       [-values-out FILE] [-notes-out FILE] [-api-versions a/v1,b/v1]
//
// Differences from Helm that matter to no template here: no subcharts, no --set, no
// .helmignore beyond Helm's fixed exclusions, manifests in file order rather than kind order.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	yaml "gopkg.in/yaml.v2"
)

// ---- values: YAML read the way Helm reads it (sigs.k8s.io/yaml: YAML -> JSON -> Go) ----

// jsonify turns yaml.v2's map[interface{}]interface{} trees into JSON-shaped data.
func jsonify(v interface{}) (interface{}, error) {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, val := range t {
			ks, ok := k.(string)
			if !ok {
				ks = fmt.Sprint(k)
			}
			j, err := jsonify(val)
			if err != nil {
				return nil, err
			}
			m[ks] = j
		}
		return m, nil
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, val := range t {
			j, err := jsonify(val)
			if err != nil {
				return nil, err
			}
			out[i] = j
		}
		return out, nil
	default:
		return v, nil
	}
}

// yamlToJSONValue parses YAML into what json.Unmarshal would give for its JSON form: maps of
// string keys, float64 numbers. Helm's values behave exactly so (an integer is a float64).
func yamlToJSONValue(data []byte) (interface{}, error) {
	var raw interface{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	j, err := jsonify(raw)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(j)
	if err != nil {
		return nil, err
	}
	var out interface{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func readValues(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	v, err := yamlToJSONValue(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if v == nil {
		return map[string]interface{}{}, nil
	}
	m, ok := v.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("%s: values must be a mapping", file)
	}
	return m, nil
}

// coalesce merges override onto base as Helm does: maps merge deeply, anything else replaces,
// and a null in the override deletes the key.
func coalesce(base, override map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range override {
		if v == nil {
			delete(out, k)
			continue
		}
		bm, bok := out[k].(map[string]interface{})
		om, ook := v.(map[string]interface{})
		if bok && ook {
			out[k] = coalesce(bm, om)
		} else {
			out[k] = v
		}
	}
	return out
}

// ---- Helm's template functions ----

// toYAML is Helm's toYaml: sigs.k8s.io/yaml.Marshal (JSON first, so keys sort and field tags
// apply), trailing newline trimmed, "" on error.
func toYAML(v interface{}) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var obj interface{}
	if err := yaml.Unmarshal(b, &obj); err != nil {
		return ""
	}
	out, err := yaml.Marshal(obj)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

func fromYAML(s string) map[string]interface{} {
	v, err := yamlToJSONValue([]byte(s))
	if err != nil {
		return map[string]interface{}{"Error": err.Error()}
	}
	m, ok := v.(map[string]interface{})
	if !ok {
		return map[string]interface{}{}
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	v, err := yamlToJSONValue([]byte(s))
	if err != nil {
		return []interface{}{err.Error()}
	}
	a, _ := v.([]interface{})
	return a
}

func toJSON(v interface{}) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func required(msg string, v interface{}) (interface{}, error) {
	if v == nil {
		return v, errors.New(msg)
	}
	if s, ok := v.(string); ok && s == "" {
		return v, errors.New(msg)
	}
	return v, nil
}

// ---- .Files ----

// Files is Helm's .Files: every chart file outside templates/ and the chart's own metadata.
type Files map[string][]byte

func (f Files) GetBytes(name string) []byte { return f[name] }
func (f Files) Get(name string) string      { return string(f[name]) }

// Glob matches with Helm's rules for the patterns this chart uses ('*' stops at '/').
func (f Files) Glob(pattern string) Files {
	out := Files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

func (f Files) sortedNames() []string {
	names := make([]string, 0, len(f))
	for n := range f {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// AsConfig renders the files as a ConfigMap data block, keyed by base name.
func (f Files) AsConfig() string {
	m := map[string]string{}
	for _, n := range f.sortedNames() {
		m[path.Base(n)] = string(f[n])
	}
	return toYAML(m)
}

func (f Files) Lines(name string) []string {
	s := string(f[name])
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

// ---- chart loading ----

// Chart mirrors the fields of Helm's chart.Metadata that templates read as .Chart.X.
type Chart struct {
	Name, Version, AppVersion, Description, Type, KubeVersion, Home, Icon string
	Keywords, Sources                                                     []string
	Annotations                                                           map[string]string
	APIVersion                                                            string `json:"apiVersion"`
}

type chartFile struct {
	APIVersion  string            `yaml:"apiVersion"`
	Name        string            `yaml:"name"`
	Version     string            `yaml:"version"`
	AppVersion  string            `yaml:"appVersion"`
	Description string            `yaml:"description"`
	Type        string            `yaml:"type"`
	KubeVersion string            `yaml:"kubeVersion"`
	Home        string            `yaml:"home"`
	Icon        string            `yaml:"icon"`
	Keywords    []string          `yaml:"keywords"`
	Sources     []string          `yaml:"sources"`
	Annotations map[string]string `yaml:"annotations"`
	// Helm's Maintainer: templates rarely read it, but a strict parse must accept it.
	Maintainers []struct {
		Name  string `yaml:"name"`
		Email string `yaml:"email"`
		URL   string `yaml:"url"`
	} `yaml:"maintainers"`
}

// walk lists regular files under dir, following symbolic links as Helm's loader does
// (sympath.Walk), with paths relative to the chart and '/'-separated.
func walk(root, rel string, visit func(rel string, data []byte) error, depth int) error {
	if depth > 16 {
		return fmt.Errorf("%s: symbolic links nest too deep", rel)
	}
	dir := filepath.Join(root, rel)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		r := path.Join(rel, e.Name())
		full := filepath.Join(root, r)
		info, err := os.Stat(full) // follows links
		if err != nil {
			return fmt.Errorf("%s: %w", r, err)
		}
		if info.IsDir() {
			if err := walk(root, r, visit, depth+1); err != nil {
				return err
			}
			continue
		}
		if !info.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return err
		}
		if err := visit(r, data); err != nil {
			return err
		}
	}
	return nil
}

type loaded struct {
	chart     Chart
	values    map[string]interface{}
	templates map[string][]byte // "templates/x.yaml" -> text
	files     Files
}

func loadChart(dir string) (*loaded, error) {
	l := &loaded{templates: map[string][]byte{}, files: Files{}}
	err := walk(dir, "", func(rel string, data []byte) error {
		switch {
		case rel == "Chart.yaml":
			var cf chartFile
			if err := yaml.UnmarshalStrict(data, &cf); err != nil {
				return fmt.Errorf("Chart.yaml: %w", err)
			}
			l.chart = Chart{Name: cf.Name, Version: cf.Version, AppVersion: cf.AppVersion,
				Description: cf.Description, Type: cf.Type, KubeVersion: cf.KubeVersion, Home: cf.Home,
				Icon: cf.Icon, Keywords: cf.Keywords, Sources: cf.Sources, Annotations: cf.Annotations,
				APIVersion: cf.APIVersion}
		case rel == "values.yaml":
			v, err := yamlToJSONValue(data)
			if err != nil {
				return fmt.Errorf("values.yaml: %w", err)
			}
			m, _ := v.(map[string]interface{})
			l.values = m
		case rel == "values.schema.json", rel == ".helmignore", strings.HasPrefix(rel, "charts/"):
		case strings.HasPrefix(rel, "templates/"):
			l.templates[rel] = data
		default:
			l.files[rel] = data
		}
		return nil
	}, 0)
	if err != nil {
		return nil, err
	}
	if l.chart.Name == "" {
		return nil, errors.New("Chart.yaml: no name")
	}
	if l.values == nil {
		l.values = map[string]interface{}{}
	}
	return l, nil
}

// ---- rendering ----

type apiVersions []string

func (a apiVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

type renderer struct {
	tmpl *template.Template
}

func funcMap(r *renderer) template.FuncMap {
	f := sprig.TxtFuncMap()
	// Helm removes these two from sprig for safety.
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["fromYamlArray"] = fromYAMLArray
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["required"] = required
	f["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	f["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		if err := r.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := r.tmpl.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Option(missingKey()).Parse(text)
		if err != nil {
			return "", fmt.Errorf("tpl: %w", err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return "", fmt.Errorf("tpl: %w", err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	return f
}

func main() {
	var valueFiles multiFlag
	chartDir := flag.String("chart", "", "chart directory")
	flag.Var(&valueFiles, "f", "values file (repeatable, later ones win)")
	release := flag.String("release", "release-name", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	out := flag.String("out", "", "write the manifests here instead of stdout")
	valuesOut := flag.String("values-out", "", "write the merged values here as JSON")
	notesOut := flag.String("notes-out", "", "write the rendered NOTES.txt here")
	apis := flag.String("api-versions", "", "comma-separated API versions .Capabilities.APIVersions.Has reports")
	flag.BoolVar(&strict, "strict", false, "fail on a missing map key, as `helm lint --strict` does")
	flag.Parse()
	if *chartDir == "" {
		fmt.Fprintln(os.Stderr, "render: -chart is required")
		os.Exit(2)
	}
	if err := run(*chartDir, valueFiles, *release, *namespace, *out, *valuesOut, *notesOut, *apis); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

// strict makes a missing map key an error (missingkey=error), as `helm lint --strict` does;
// otherwise it renders as nothing (missingkey=zero, then "<no value>" removed), as Helm does.
var strict bool

func missingKey() string {
	if strict {
		return "missingkey=error"
	}
	return "missingkey=zero"
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func run(chartDir string, valueFiles []string, release, namespace, out, valuesOut, notesOut, apis string) error {
	l, err := loadChart(chartDir)
	if err != nil {
		return err
	}
	values := l.values
	for _, f := range valueFiles {
		v, err := readValues(f)
		if err != nil {
			return err
		}
		values = coalesce(values, v)
	}
	if valuesOut != "" {
		b, err := json.MarshalIndent(values, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(valuesOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	var api apiVersions
	for _, a := range strings.Split(apis, ",") {
		if a = strings.TrimSpace(a); a != "" {
			api = append(api, a)
		}
	}
	api = append(api, "v1", "apps/v1")

	r := &renderer{}
	r.tmpl = template.New(l.chart.Name).Option(missingKey()).Funcs(funcMap(r))
	names := make([]string, 0, len(l.templates))
	for n := range l.templates {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		full := l.chart.Name + "/" + n
		if _, err := r.tmpl.New(full).Parse(string(l.templates[n])); err != nil {
			return err
		}
	}
	chartData := map[string]interface{}{
		"Name": l.chart.Name, "Version": l.chart.Version, "AppVersion": l.chart.AppVersion,
		"Description": l.chart.Description, "Type": l.chart.Type, "KubeVersion": l.chart.KubeVersion,
		"Home": l.chart.Home, "Icon": l.chart.Icon, "Keywords": l.chart.Keywords,
		"Sources": l.chart.Sources, "Annotations": l.chart.Annotations, "APIVersion": l.chart.APIVersion,
	}
	top := func(name string) map[string]interface{} {
		return map[string]interface{}{
			"Values": values,
			"Chart":  chartData,
			"Release": map[string]interface{}{
				"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true,
				"IsUpgrade": false, "Revision": 1,
			},
			"Capabilities": map[string]interface{}{
				"KubeVersion": map[string]interface{}{"Version": "v1.29.0", "Major": "1", "Minor": "29",
					"GitVersion": "v1.29.0"},
				"APIVersions": api,
				"HelmVersion": map[string]interface{}{"Version": "v3.14.0"},
			},
			"Template": map[string]interface{}{"Name": name, "BasePath": l.chart.Name + "/templates"},
			"Files":    l.files,
		}
	}

	var manifests bytes.Buffer
	for _, n := range names {
		base := path.Base(n)
		if strings.HasPrefix(base, "_") {
			continue
		}
		full := l.chart.Name + "/" + n
		var buf bytes.Buffer
		if err := r.tmpl.ExecuteTemplate(&buf, full, top(full)); err != nil {
			return err
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if base == "NOTES.txt" {
			if notesOut != "" {
				if err := os.WriteFile(notesOut, []byte(text), 0o644); err != nil {
					return err
				}
			}
			continue
		}
		if !strings.HasSuffix(base, ".yaml") && !strings.HasSuffix(base, ".yml") &&
			!strings.HasSuffix(base, ".tpl") {
			continue
		}
		// Helm splits each output into documents and drops the empty ones.
		for _, doc := range splitDocs(text) {
			fmt.Fprintf(&manifests, "---\n# Source: %s\n%s\n", full, doc)
		}
	}
	if out == "" {
		_, err = os.Stdout.Write(manifests.Bytes())
		return err
	}
	return os.WriteFile(out, manifests.Bytes(), fs.FileMode(0o644))
}

func splitDocs(text string) []string {
	var docs []string
	for _, d := range strings.Split("\n"+text, "\n---") {
		trimmed := strings.TrimSpace(d)
		empty := true
		for _, line := range strings.Split(trimmed, "\n") {
			l := strings.TrimSpace(line)
			if l != "" && !strings.HasPrefix(l, "#") {
				empty = false
				break
			}
		}
		if !empty {
			docs = append(docs, strings.Trim(d, "\n"))
		}
	}
	return docs
}

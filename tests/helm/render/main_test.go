package main

// The Helm behaviours the chart relies on, checked against what Helm 3 documents and does.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValuesAreJSONShaped(t *testing.T) {
	v, err := yamlToJSONValue([]byte("a: 1\nb: [x, 2]\nc: {d: true}\ne: n\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]interface{})
	if _, ok := m["a"].(float64); !ok {
		t.Errorf("a is %T, Helm gives float64", m["a"])
	}
	if m["e"] != false {
		t.Errorf("e = %v: YAML 1.1 (sigs.k8s.io/yaml) reads n as false", m["e"])
	}
	if _, ok := m["c"].(map[string]interface{}); !ok {
		t.Errorf("c is %T, want map[string]interface{}", m["c"])
	}
}

func TestCoalesceMergesDeeplyAndNullDeletes(t *testing.T) {
	base := map[string]interface{}{
		"a": map[string]interface{}{"x": 1.0, "y": 2.0},
		"b": []interface{}{1.0},
		"c": "keep",
	}
	over := map[string]interface{}{
		"a": map[string]interface{}{"y": 3.0, "z": 4.0},
		"b": []interface{}{2.0, 3.0},
		"c": nil,
	}
	got := coalesce(base, over)
	a := got["a"].(map[string]interface{})
	if a["x"] != 1.0 || a["y"] != 3.0 || a["z"] != 4.0 {
		t.Errorf("a = %v", a)
	}
	if len(got["b"].([]interface{})) != 2 {
		t.Errorf("lists replace, got %v", got["b"])
	}
	if _, ok := got["c"]; ok {
		t.Errorf("null must delete c")
	}
	if base["a"].(map[string]interface{})["y"] != 2.0 {
		t.Errorf("coalesce changed the chart's own values")
	}
}

func TestToYAMLSortsKeysAndTrimsNewline(t *testing.T) {
	got := toYAML(map[string]interface{}{"b": 1.0, "a": []interface{}{"x"}, "c": 0.5})
	want := "a:\n- x\nb: 1\nc: 0.5"
	if got != want {
		t.Errorf("toYaml = %q, want %q", got, want)
	}
	if toYAML(func() {}) != "" {
		t.Errorf("toYaml of an unmarshalable value must be empty, as in Helm")
	}
}

func TestRequired(t *testing.T) {
	if _, err := required("need x", nil); err == nil || err.Error() != "need x" {
		t.Errorf("nil: %v", err)
	}
	if _, err := required("need x", ""); err == nil {
		t.Errorf("empty string must fail")
	}
	if _, err := required("need x", false); err != nil {
		t.Errorf("false is a value: %v", err)
	}
}

// A minimal chart: templates, include/tpl, .Files through a symbolic link, NOTES and empty docs.
func TestRenderChartWithLinkedFiles(t *testing.T) {
	dir := t.TempDir()
	shared := filepath.Join(dir, "shared")
	chart := filepath.Join(dir, "chart")
	for _, d := range []string{shared, filepath.Join(chart, "templates"), filepath.Join(chart, "files")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(shared, "a.json"), `{"a": 1}`)
	write(filepath.Join(shared, "b.txt"), "not json")
	if err := os.Symlink("../../shared", filepath.Join(chart, "files", "linked")); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(chart, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"4.5\"\n")
	write(filepath.Join(chart, "values.yaml"), "port: 9867\nname: x\nmsg: \"hello {{ .Values.name }}\"\n")
	write(filepath.Join(chart, "templates", "_h.tpl"), `{{- define "demo.name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end -}}`)
	write(filepath.Join(chart, "templates", "cm.yaml"), `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "demo.name" . }}
data:
  port: {{ .Values.port | quote }}
  msg: {{ tpl .Values.msg . | quote }}
  missing: "{{ .Values.nothing }}"
{{- range $p, $_ := .Files.Glob "files/linked/*.json" }}
  {{ base $p }}: {{ $.Files.Get $p | quote }}
{{- end }}
---
# only a comment
`)
	write(filepath.Join(chart, "templates", "NOTES.txt"), "release {{ .Release.Name }} v{{ .Chart.AppVersion }}\n")
	over := filepath.Join(dir, "over.yaml")
	write(over, "name: zed\n")
	out := filepath.Join(dir, "out.yaml")
	notes := filepath.Join(dir, "notes.txt")
	if err := run(chart, []string{over}, "rel", "ns", out, "", notes, ""); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	for _, want := range []string{
		"# Source: demo/templates/cm.yaml", "name: demo-rel", `port: "9867"`, `msg: "hello zed"`,
		`missing: ""`, `a.json: "{\"a\": 1}"`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(string(got), "b.txt") || strings.Count(string(got), "---") != 1 {
		t.Errorf("Glob or empty-document handling is off:\n%s", got)
	}
	n, _ := os.ReadFile(notes)
	if string(n) != "release rel v4.5\n" {
		t.Errorf("NOTES = %q", n)
	}
}

func TestRenderErrorsName(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: demo\nversion: 1.0.0\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "templates", "x.yaml"), []byte(`{{ required "x is required" .Values.x }}`), 0o644)
	err := run(dir, nil, "r", "n", filepath.Join(dir, "out"), "", "", "")
	if err == nil || !strings.Contains(err.Error(), "x is required") {
		t.Errorf("err = %v, want the required message", err)
	}
}

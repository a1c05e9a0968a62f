{{/*
Helpers of the fleet-usage-exporter chart. The chart keeps to Go text/template, sprig and Helm's
include/tpl/required/toYaml/fromYaml/toJson/.Files, which tests/helm/render implements too.
*/}}

{{- define "fue.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-<chart>, or the release name when it already contains the chart name. Room is
left for the -shard-<i> and -dashboard-<name> suffixes. */}}
{{- define "fue.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "fue.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fue.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fue.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fue.labels" -}}
helm.sh/chart: {{ include "fue.chart" . }}
{{ include "fue.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fleet-usage-exporter
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "fue.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "fue.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "fue.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret the credentials come from: existingSecret, else the chart's, else none. */}}
{{- define "fue.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else if .Values.secrets.data -}}
{{- printf "%s-credentials" (include "fue.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* "-shard-<i>" when there are several shards, "" otherwise. Argument: dict root, shard. */}}
{{- define "fue.shardSuffix" -}}
{{- if gt (int .root.Values.sharding.shards) 1 -}}
{{- printf "-shard-%d" (int .shard) -}}
{{- end -}}
{{- end -}}

{{/* The shard of a target: its `shard` key, else adler32("<vendor>/<name>") mod shards.
Argument: dict vendor, target, shards. */}}
{{- define "fue.targetShard" -}}
{{- if hasKey .target "shard" -}}
{{- int .target.shard -}}
{{- else -}}
{{- mod (atoi (adler32sum (printf "%s/%s" .vendor .target.name))) .shards -}}
{{- end -}}
{{- end -}}

{{/* Environment variable that carries a secret key in env mode. */}}
{{- define "fue.envName" -}}
{{- printf "FUE_SECRET_%s" (regexReplaceAll "[^A-Za-z0-9]" . "_" | upper) -}}
{{- end -}}

{{/* Every secret key the targets reference through <key>_secretKey, one a line, sorted. */}}
{{- define "fue.secretKeys" -}}
{{- $keys := list -}}
{{- range $vendor, $targets := .Values.config.targets -}}
{{- range $t := $targets -}}
{{- range $k, $v := $t -}}
{{- if hasSuffix "_secretKey" $k -}}
{{- $keys = append $keys (toString $v) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $keys | uniq | sortAlpha | join "\n" -}}
{{- end -}}

{{/* TOML: a bare key when it may be one, else a quoted key. */}}
{{- define "fue.tomlKey" -}}
{{- if regexMatch "^[A-Za-z0-9_-]+$" . -}}{{ . }}{{- else -}}{{ toJson . }}{{- end -}}
{{- end -}}

{{/* TOML: a value. JSON strings, numbers, booleans and arrays are valid TOML; tables become
inline tables. */}}
{{- define "fue.tomlValue" -}}
{{- if kindIs "map" . -}}
{ {{- range $i, $k := keys . | sortAlpha }}{{ if $i }},{{ end }} {{ include "fue.tomlKey" $k }} = {{ include "fue.tomlValue" (index $ $k) }}{{ end }} }
{{- else if kindIs "slice" . -}}
[{{ range $i, $v := . }}{{ if $i }}, {{ end }}{{ include "fue.tomlValue" $v }}{{ end }}]
{{- else -}}
{{- toJson . -}}
{{- end -}}
{{- end -}}

{{/* One [[vendor]] table. Argument: dict root, vendor, target. */}}
{{- define "fue.targetToml" -}}
{{- $root := .root -}}
{{- $t := .target -}}
[[{{ .vendor }}]]
name = {{ $t.name | toString | toJson }}
{{- range $k := keys $t | sortAlpha }}
{{- $v := index $t $k }}
{{- if and (ne $k "name") (ne $k "shard") (not (kindIs "invalid" $v)) }}
{{- if hasSuffix "_secretKey" $k }}
{{- $base := trimSuffix "_secretKey" $k }}
{{- if eq $root.Values.secrets.mode "env" }}
{{ $base }}_env = {{ include "fue.envName" (toString $v) | toJson }}
{{- else }}
{{ $base }}_file = {{ printf "%s/%s" (trimSuffix "/" $root.Values.secrets.mountPath) (toString $v) | toJson }}
{{- end }}
{{- else }}
{{ include "fue.tomlKey" $k }} = {{ include "fue.tomlValue" $v }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $root.Values.config.minInterval (not (hasKey $t "min_interval")) }}
min_interval = {{ $root.Values.config.minInterval | toString | toJson }}
{{- end }}
{{- end -}}

{{/* The config file of one shard. Argument: dict root, shard. */}}
{{- define "fue.configToml" -}}
{{- $root := .root -}}
{{- $shard := int .shard -}}
{{- $shards := int $root.Values.sharding.shards -}}
# fleet-usage-exporter configuration, rendered by the Helm chart from .Values.config
{{- if gt $shards 1 }} (shard {{ $shard }} of {{ $shards }}){{ end }}.
{{- with $root.Values.config.global }}

[global]
{{- range $k := keys . | sortAlpha }}
{{- $v := index $root.Values.config.global $k }}
{{- if not (kindIs "invalid" $v) }}
{{ include "fue.tomlKey" $k }} = {{ include "fue.tomlValue" $v }}
{{- end }}
{{- end }}
{{- end }}
{{- range $vendor := keys $root.Values.config.targets | sortAlpha }}
{{- range $t := index $root.Values.config.targets $vendor }}
{{- if eq (include "fue.targetShard" (dict "vendor" $vendor "target" $t "shards" $shards)) (toString $shard) }}

{{ include "fue.targetToml" (dict "root" $root "vendor" $vendor "target" $t) }}
{{- end }}
{{- end }}
{{- end }}
{{- with $root.Values.config.extraToml }}

{{ . }}
{{- end }}
{{- end -}}

{{/* Checks values.schema.json cannot express; called once by deployment.yaml. */}}
{{- define "fue.validate" -}}
{{- $shards := int .Values.sharding.shards -}}
{{- if lt $shards 1 -}}
{{- fail "sharding.shards must be at least 1" -}}
{{- end -}}
{{- if and .Values.config.existingConfigMap (gt $shards 1) -}}
{{- fail "config.existingConfigMap cannot be combined with sharding.shards > 1: each shard needs its own config" -}}
{{- end -}}
{{- range $vendor, $targets := .Values.config.targets -}}
{{- $seen := dict -}}
{{- range $t := $targets -}}
{{- $name := required (printf "config.targets.%s: every target needs a name" $vendor) $t.name | toString -}}
{{- if hasKey $seen $name -}}
{{- fail (printf "config.targets.%s: the name %q is used twice" $vendor $name) -}}
{{- end -}}
{{- $_ := set $seen $name true -}}
{{- if and (hasKey $t "shard") (ge (int $t.shard) $shards) -}}
{{- fail (printf "config.targets.%s[%s]: shard %d is not below sharding.shards (%d)" $vendor $name (int $t.shard) $shards) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $keys := include "fue.secretKeys" . -}}
{{- if $keys -}}
{{- if not (include "fue.secretName" .) -}}
{{- fail "targets reference secret keys (<key>_secretKey) but neither secrets.existingSecret nor secrets.data is set" -}}
{{- end -}}
{{- if not .Values.secrets.existingSecret -}}
{{- range $k := splitList "\n" $keys -}}
{{- if not (hasKey $.Values.secrets.data $k) -}}
{{- fail (printf "a target references the secret key %q, which secrets.data does not have" $k) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The scheme Prometheus scrapes with: the value given, else https when the web config has TLS.
Argument: dict root, scheme. */}}
{{- define "fue.scrapeScheme" -}}
{{- if .scheme -}}
{{- .scheme -}}
{{- else if and .root.Values.webConfig.enabled .root.Values.webConfig.tls -}}
https
{{- else -}}
http
{{- end -}}
{{- end -}}

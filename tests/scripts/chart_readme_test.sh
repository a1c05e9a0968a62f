#!/usr/bin/env bash
# The chart's README is generated from values.yaml's `# --` comments (scripts/chart-readme) and
# is up to date; a changed comment makes the check fail, so a stale README cannot pass.
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
scripts/chart-readme --check
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fue-chart-readme.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -r helm/fleet-usage-exporter/. "$tmp/"
sed -i 's/^# -- Overrides the chart name/# -- Changes the chart name/' "$tmp/values.yaml"
if FUE_CHART_DIR=$tmp scripts/chart-readme --check 2>/dev/null; then
  echo "FAIL: a changed values.yaml comment did not make the README stale"
  exit 1
fi
# Every documented key of values.yaml is in the README.
keys=$(grep -c '^ *# -- ' helm/fleet-usage-exporter/values.yaml)
rows=$(grep -c '^| `' helm/fleet-usage-exporter/README.md)
[ "$keys" = "$rows" ] || { echo "FAIL: $keys documented keys, $rows README rows"; exit 1; }
echo "chart README: up to date, $rows keys"

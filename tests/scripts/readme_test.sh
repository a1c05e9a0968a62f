#!/usr/bin/env bash
# The README stays a few screens long and says only what a user needs: no reference tables (they
# live in docs/configuration.md and docs/metrics.md), no notes about build machines, no benchmark
# rows (docs/benchmarks.md); its minimal config passes --config.check; every relative link in the
# README, CONTRIBUTING.md and the two reference docs resolves.
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
exporter=${FUE_EXPORTER_BIN:-build/fleet-usage-exporter}
status=0
fail() { echo "FAIL: $*"; status=1; }

lines=$(wc -l < README.md)
[ "$lines" -le 220 ] || fail "README.md has $lines lines; keep it near 200 (move reference material to docs/)"
for phrase in 'could not consult' 'build machine' 'MISSED' '## Configuration reference' '## Metrics reference'; do
  grep -qi -- "$phrase" README.md && fail "README.md contains '$phrase'"
done
for vendor in losant notehub thousandeyes koophone kakaocloud_bcs; do
  grep -q "^## \`\[\[$vendor\]\]\` configuration" docs/configuration.md || fail "docs/configuration.md has no [[$vendor]] section"
done
grep -q '^# Metrics reference' docs/metrics.md || fail "docs/metrics.md has no title"

# Relative links resolve (anchors and absolute URLs are not checked).
for doc in README.md CONTRIBUTING.md docs/configuration.md docs/metrics.md helm/fleet-usage-exporter/README.md; do
  dir=$(dirname "$doc")
  while read -r target; do
    path=${target%%#*}
    [ -z "$path" ] && continue
    [ -e "$dir/$path" ] || fail "$doc links to $target, which does not exist"
  done < <(grep -oE '\]\([^)]+\)' "$doc" | sed -E 's/^\]\((.*)\)$/\1/' | grep -vE '^(https?|mailto):' || true)
done

# The README's minimal config is valid, with dummy credentials where it reads them.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fue-readme.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
awk '/^```toml$/ {on = 1; next} on && /^```$/ {exit} on' README.md > "$tmp/config.toml"
grep -q '^\[\[' "$tmp/config.toml" || fail "README.md has no toml config block"
sed -i "s#\"/etc/fleet-usage-exporter/#\"$tmp/#" "$tmp/config.toml"
for f in $(grep -oE '_file = "[^"]+"' "$tmp/config.toml" | sed -E 's/_file = "(.*)"/\1/'); do echo dummy > "$f"; done
envs=()
for v in $(grep -oE '_env = "[^"]+"' "$tmp/config.toml" | sed -E 's/_env = "(.*)"/\1/'); do envs+=("$v=dummy"); done
env "${envs[@]}" "$exporter" --config.file "$tmp/config.toml" --config.check > "$tmp/check.out" 2>&1 ||
  { cat "$tmp/check.out"; fail "the README's minimal config fails --config.check"; }
[ "$status" = 0 ] && echo "README: $lines lines, links resolve, minimal config valid"
exit "$status"

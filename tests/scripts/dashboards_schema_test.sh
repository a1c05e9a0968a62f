#!/usr/bin/env bash
# The committed dashboards are what dashboards/generate.py writes, and each one type-checks,
# strictly, against Grafana's published dashboard schema (npm @grafana/schema, with the
# TypeScript compiler; versions pinned by tests/dashboards/schema/package-lock.json). A broken
# copy must fail, so the check cannot pass vacuously. The npm packages install into the build
# tree once (about 26 MB, seconds); the check itself takes a few seconds.
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
build_dir=${FUE_BUILD_DIR:-build}
mkdir -p "$build_dir"
out=$(cd "$build_dir" && pwd)/dashboards-schema
schema_dir=tests/dashboards/schema
command -v npm >/dev/null || { echo "npm not found (Debian packages nodejs and npm)"; exit 1; }

# ---- generated files are up to date ----
rm -rf "$out/generated"
mkdir -p "$out/generated"
python3 dashboards/generate.py "$out/generated"
for f in "$out"/generated/*.json; do
  cmp -s "$f" "dashboards/$(basename "$f")" ||
    { echo "FAIL: dashboards/$(basename "$f") differs from what dashboards/generate.py writes: run it"; exit 1; }
done

# ---- npm packages, pinned, into the build tree ----
npm_dir=$out/npm
stamp=$npm_dir/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || ! cmp -s "$schema_dir/package-lock.json" "$npm_dir/package-lock.json"; then
  mkdir -p "$npm_dir"
  cp "$schema_dir/package.json" "$schema_dir/package-lock.json" "$npm_dir/"
  (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# ---- the check, and a broken dashboard that it must reject ----
export NODE_PATH=$npm_dir/node_modules
node "$schema_dir/check.cjs" "$out/ts" dashboards/*.json
node "$schema_dir/check.cjs" --self-test "$out/self-test" dashboards/losant.json 2> "$out/self-test.err" ||
  { cat "$out/self-test.err"; echo "FAIL: the schema check let a broken dashboard through"; exit 1; }

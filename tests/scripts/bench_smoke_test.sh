#!/usr/bin/env bash
# CI smoke run of the benchmarks so they cannot rot: 10k-series exposition (ours, naive
# prometheus-cpp, Python), a short latency/concurrency run, the peers and a short idle run.
# Asserts no timing, only that everything runs, every exposition passes promtool (run_bench.py
# exits non-zero otherwise) and the table has every row.
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
build_dir=${FUE_BUILD_DIR:?FUE_BUILD_DIR is set by ctest}
if [ ! -x "$build_dir/tests/bench/exposition_bench" ] || [ ! -x "$build_dir/tests/bench/listing_parse_bench" ]; then
  cmake --build "$build_dir" --target exposition_bench listing_parse_bench
fi
out=$(mktemp "${TMPDIR:-/tmp}/fue-bench-smoke.XXXXXX")
trap 'rm -f "$out"' EXIT
/usr/bin/python3 tests/bench/run_bench.py --build-dir "$build_dir" --smoke >"$out"
cat "$out"
fail=0
for row in "(a) ours |" "whole /metrics step with gzip" "listing page reader" "(b) naive prometheus-cpp" \
  "(c) Python prometheus_client" "scrape latency" "concurrency N=1 " "concurrency N=4 " \
  "(d) plain Python exporter" "idle (before any scrape)" "idle after the scrapes"; do
  if ! grep -qF -- "$row" "$out"; then
    echo "missing row: $row" >&2
    fail=1
  fi
done
# Every target of the latency run must have been up.
if ! grep -q "targets up: kakaocloud_bcs=1,koophone=1,losant=1,notehub=1,thousandeyes=1" "$out"; then
  echo "a target was down in the latency run" >&2
  fail=1
fi
exit $fail

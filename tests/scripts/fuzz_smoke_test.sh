#!/usr/bin/env bash
# CI check of the libFuzzer targets: builds them with clang (ASan + UBSan, libFuzzer) in
# $FUE_BUILD_DIR/fuzz and replays every seed (fixtures, golden bodies, config files, hand-made
# query strings) and every regression input once through each target (scripts/fuzz --replay).
#
# Then each target fuzzes 30,000 executions from seed 1 (FUZZ_RUNS), a bounded smoke run that is
# the same on every machine, so CI fails on a real regression and never on the luck of one run;
# the clang build itself is ~415 CPU-seconds. Longer, random runs: scripts/fuzz (see
# docs/fuzzing-and-sanitizers.md).
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
if ! command -v clang++ >/dev/null; then
  echo "clang++ is missing: scripts/install-deps installs clang and libclang-rt-14-dev" >&2
  exit 1
fi
export FUZZ_BUILD_DIR="${FUE_BUILD_DIR:-$(pwd)/build}/fuzz"
scripts/fuzz --replay
FUZZ_RUNS=${FUZZ_RUNS:-30000} exec scripts/fuzz --smoke 60

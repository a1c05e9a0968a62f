#!/usr/bin/env bash
# CI check of the libFuzzer targets: builds them with clang (ASan + UBSan, libFuzzer) in
# $FUE_BUILD_DIR/fuzz and replays every seed (fixtures, golden bodies, config files, hand-made
# query strings) and every regression input once through each target (scripts/fuzz --replay).
#
# Why replay and not a timed run: the clang build alone is ~415 CPU-seconds (83 files at ~5 s),
# about 3.5 minutes on an idle 2-core machine and more on a busy one, which leaves nothing of a
# ~4 minute budget for fuzzing. Timed runs: FUZZ_SMOKE_SECONDS=<s> here, or scripts/fuzz (see
# docs/fuzzing-and-sanitizers.md).
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
if ! command -v clang++ >/dev/null; then
  echo "clang++ is missing: scripts/install-deps installs clang and libclang-rt-14-dev" >&2
  exit 1
fi
export FUZZ_BUILD_DIR="${FUE_BUILD_DIR:-$(pwd)/build}/fuzz"
if [ "${FUZZ_SMOKE_SECONDS:-0}" -gt 0 ]; then
  exec scripts/fuzz --smoke "$FUZZ_SMOKE_SECONDS"
fi
exec scripts/fuzz --replay

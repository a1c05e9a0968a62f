#!/usr/bin/env bash
# What the demo and the image build is the exporter and the simulator only: a configure with the
# tests off still has vendor-sim and no test target, scripts/demo builds those two targets, and
# every package they install (packaging/build-depends) is one scripts/install-deps installs too.
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
status=0
fail() { echo "FAIL: $*"; status=1; }

# ---- packaging/build-depends is a subset of scripts/install-deps ----
wanted=$(sed -n '/^packages=(/,/^)/p' scripts/install-deps | tr ' ' '\n' | sed -e '/^packages=(/d' -e '/^)/d' -e '/^$/d')
while read -r p; do
  grep -qxF "$p" <<< "$wanted" || fail "packaging/build-depends lists $p, scripts/install-deps does not"
done < <(sed -e 's/#.*//' -e '/^ *$/d' packaging/build-depends)

# ---- scripts/demo builds the two binaries, not the suite ----
grep -q -- '--target fleet-usage-exporter vendor-sim' scripts/demo || fail "scripts/demo does not build only its two targets"
grep -qE '^[^#]*scripts/build( |$)' scripts/demo && fail "scripts/demo calls scripts/build, which builds every target"

# ---- FUE_BUILD_TESTS=OFF keeps the simulator and drops the tests ----
dir=${FUE_BUILD_DIR:-build}/build-scope-check
rm -rf "$dir"
trap 'rm -rf "$dir"' EXIT
cmake -S . -B "$dir" -G Ninja -DFUE_BUILD_TESTS=OFF -DFUE_BUILD_BENCHMARKS=OFF > "$dir.log" 2>&1 ||
  { cat "$dir.log"; fail "configure with FUE_BUILD_TESTS=OFF failed"; exit 1; }
rm -f "$dir.log"
targets=$(ninja -C "$dir" -t targets all | cut -d: -f1)
grep -qx 'tests/vendor-sim' <<< "$targets" || fail "no vendor-sim target with FUE_BUILD_TESTS=OFF"
grep -qx 'fleet-usage-exporter' <<< "$targets" || fail "no fleet-usage-exporter target"
grep -qE '(^|/)(config_test|golden_cases_test|libfue_test_support\.a)$' <<< "$targets" &&
  fail "test targets configured with FUE_BUILD_TESTS=OFF"
[ -f "$dir/CTestTestfile.cmake" ] && grep -q add_test -r "$dir" --include=CTestTestfile.cmake &&
  fail "ctest tests registered with FUE_BUILD_TESTS=OFF"
[ "$status" = 0 ] && echo "build scope: ok"
exit "$status"

#!/usr/bin/env bash
# The date-sensitive suites under fixed clocks, so that no test passes only on some days: month
# to date (Losant), Notehub day/week/month buckets, ThousandEyes billing periods, backfill days
# and the demo's quota alert. libfaketime (Debian's faketime) moves the wall clock of every
# process the suite starts (the exporter, the simulator, the test itself) by one shared offset,
# so they agree on "now" and it still advances; monotonic clocks (deadlines) stay real. Debian's
# Prometheus is a Go binary, which reads the clock without libc, so it keeps the real time:
# Prometheus stamps samples itself, and nothing compares its clock with ours.
#
#   tests/scripts/calendar_test.sh [SUITE...]   FUE_CALENDAR_CLOCKS="2027-01-01T00:00:05Z ..."
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
build=${FUE_BUILD_DIR:-build}
command -v faketime >/dev/null || { echo "faketime not found (Debian package faketime)"; exit 1; }

# The 1st just after midnight (a new year too), the 2nd, the 28th of February, the 29th of a leap
# February, and one second before midnight on the last day of a month, so the run crosses midnight,
# a month and a year while it works.
read -r -a clocks <<<"${FUE_CALENDAR_CLOCKS:-2027-01-01T00:00:05Z 2027-03-02T12:00:00Z \
2027-02-28T18:30:00Z 2028-02-29T12:00:00Z 2027-12-31T23:59:59Z}"

# Suite binary, then its gtest filter. The suites whose figures or windows come from the calendar.
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(
  "losant_test:*" "notehub_test:*" "thousandeyes_test:*" "golden_cases_test:*"
  "backfill_history_test:*" "backfill_e2e_test:*" "dashboards_e2e_test:*"
  "spend_e2e_test:*ThePeriod*"
)

# The fake clock is proven to apply before any suite result is trusted.
probe=$(FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@2028-02-29 12:00:00" date -u +%F)
[ "$probe" = 2028-02-29 ] || { echo "FAIL: faketime does not move the clock (got $probe)"; exit 1; }

log_dir=$(mktemp -d "${TMPDIR:-/tmp}/fue-calendar-XXXXXX")
trap 'rm -rf "$log_dir"' EXIT
passed=0
failed=0
for clock in "${clocks[@]}"; do
  for entry in "${suites[@]}"; do
    suite=${entry%%:*}
    filter=${entry#*:}
    [ "$filter" != "$entry" ] || filter='*'
    bin="$build/tests/$suite"
    [ -x "$bin" ] || { echo "FAIL: $bin not built"; failed=$((failed + 1)); continue; }
    # One offset for the whole suite: every process it starts sees the same fake "now".
    offset=$(($(date -u -d "$clock" +%s) - $(date -u +%s)))
    log="$log_dir/${suite}-${clock//:/}.log"
    started=$(date +%s)
    sign=+
    [ "$offset" -ge 0 ] || sign=
    if FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "${sign}${offset}" \
      "$bin" --gtest_filter="$filter" --gtest_brief=1 >"$log" 2>&1; then
      echo "ok   $clock $suite ($(($(date +%s) - started)) s)"
      passed=$((passed + 1))
    else
      echo "FAIL $clock $suite ($(($(date +%s) - started)) s)"
      grep -E "^\[  FAILED  \]|Failure|error:|Expected|Which is|actual" "$log" | head -40 || true
      tail -5 "$log"
      failed=$((failed + 1))
    fi
  done
done
echo "calendar: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

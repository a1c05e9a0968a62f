#!/usr/bin/env bash
# The shipped alert rules load (promtool check rules) and their unit tests pass (promtool test
# rules): each alert fires on a bad series and stays silent on a healthy one. Also checks that
# every alert has a unit test expecting it to fire. Two rule files: the exporter's alerts and
# the spend rules (dashboards/alerts/fleet-usage-spend.rules.yml, issue 21), each with its
# <name>.rules.test.yml.
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
command -v promtool >/dev/null || { echo "promtool not found (Debian package prometheus)"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fue-rules-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0

# check_file RULES TESTS BROKEN_SED: loads, tests, every alert tested firing, and a rule broken
# by BROKEN_SED must make the tests fail (a test that cannot fail is no test).
check_file() {
  local rules=$1 tests=$2 broken=$3
  promtool check rules "$rules"
  # promtool evaluates groups missing from group_eval_order in a random order, so a test whose
  # alerts read another group's recording rules passes or fails by chance: list them all.
  local groups order
  groups=$(sed -n 's/^  - name: *//p' "$rules")
  order=$(sed -n '/^group_eval_order:/,/^[^ ]/s/^  - *//p' "$tests")
  if [ "$groups" != "$order" ]; then
    echo "FAIL: $tests: group_eval_order must list the groups of $rules in order:"
    echo "$groups"
    status=1
  fi
  (cd "$(dirname "$tests")" && promtool test rules "$(basename "$tests")")

  # Every alert is tested firing: an `alertname: X` followed (before the next alertname) by an
  # exp_labels entry.
  for alert in $(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "$rules"); do
    if ! awk -v a="$alert" '
        /alertname:/ { cur = ($2 == a) }
        cur && /exp_labels:/ { found = 1 }
        END { exit found ? 0 : 1 }' "$tests"; then
      echo "FAIL: alert $alert has no promtool test in which it fires"
      status=1
    fi
  done
  rm -rf "${tmp:?}"/*
  sed "$broken" "$rules" > "$tmp/$(basename "$rules")"
  cmp -s "$rules" "$tmp/$(basename "$rules")" && { echo "FAIL: '$broken' changes nothing in $rules"; status=1; }
  cp "$tests" "$tmp/"
  if (cd "$tmp" && promtool test rules "$(basename "$tests")" >/dev/null 2>&1); then
    echo "FAIL: promtool test rules passed with $rules broken by '$broken'"
    status=1
  fi
}

check_file dashboards/alerts/fleet-usage-exporter.rules.yml \
  dashboards/alerts/fleet-usage-exporter.rules.test.yml \
  's/fleet_usage_exporter_target_up == 0/fleet_usage_exporter_target_up == 2/'
# Spend: a period counter read as its raw value (no subtraction of the value at the period
# start) counts January again in February while the vendor has not reset yet.
check_file dashboards/alerts/fleet-usage-spend.rules.yml \
  dashboards/alerts/fleet-usage-spend.rules.test.yml \
  's/<= fleet_usage_dimension:period_usage:min_since_period_start/> 1e300/'
[ "$status" = 0 ] && echo "alert rules: OK"
exit "$status"

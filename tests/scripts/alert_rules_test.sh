#!/usr/bin/env bash
# The shipped alert rules load (promtool check rules) and their unit tests pass (promtool test
# rules): each alert fires on a bad series and stays silent on a healthy one. Also checks that
# every alert has a unit test expecting it to fire.
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
rules=dashboards/alerts/fleet-usage-exporter.rules.yml
tests=dashboards/alerts/fleet-usage-exporter.rules.test.yml
command -v promtool >/dev/null || { echo "promtool not found (Debian package prometheus)"; exit 1; }

promtool check rules "$rules"
(cd "$(dirname "$tests")" && promtool test rules "$(basename "$tests")")

# Every alert is tested firing: an `alertname: X` followed (before the next alertname) by an
# exp_labels entry.
status=0
for alert in $(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "$rules"); do
  if ! awk -v a="$alert" '
      /alertname:/ { cur = ($2 == a) }
      cur && /exp_labels:/ { found = 1 }
      END { exit found ? 0 : 1 }' "$tests"; then
    echo "FAIL: alert $alert has no promtool test in which it fires"
    status=1
  fi
done
# And a test that cannot fail is no test: a broken rule must make promtool test rules fail.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fue-rules-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sed 's/fleet_usage_exporter_target_up == 0/fleet_usage_exporter_target_up == 2/' "$rules" \
  > "$tmp/fleet-usage-exporter.rules.yml"
cp "$tests" "$tmp/"
if (cd "$tmp" && promtool test rules fleet-usage-exporter.rules.test.yml >/dev/null 2>&1); then
  echo "FAIL: promtool test rules passed with a broken FleetUsageTargetDown rule"
  status=1
fi
[ "$status" = 0 ] && echo "alert rules: OK"
exit "$status"

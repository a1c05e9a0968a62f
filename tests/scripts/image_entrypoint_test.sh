#!/usr/bin/env bash
# The container image's behaviour without a container engine: the Dockerfile's shape (tests
# opt-in, packages before sources, simulator and demo files carried, no default config) and its
# entrypoint run on this host against the built binaries: no config mounted is one line naming
# the path, `demo` serves every demo target up, flags reach the exporter.
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
exporter=${FUE_EXPORTER_BIN:-build/fleet-usage-exporter}
sim=${FUE_SIM_BIN:-build/tests/vendor-sim}
entry=packaging/container/entrypoint
status=0
fail() { echo "FAIL: $*"; status=1; }

# ---- the Dockerfile ----
grep -qx 'ARG RUN_TESTS=0' Dockerfile || fail "Dockerfile: RUN_TESTS must default to 0 (tests are opt-in)"
apt_line=$(grep -n 'apt-get install' Dockerfile | head -1 | cut -d: -f1)
copy_line=$(grep -n '^COPY \. \.' Dockerfile | cut -d: -f1)
[ -n "$apt_line" ] && [ -n "$copy_line" ] && [ "$apt_line" -lt "$copy_line" ] ||
  fail "Dockerfile: the package layer must come before COPY . . (a source change must not reinstall)"
grep -q -- '--target fleet-usage-exporter vendor-sim' Dockerfile || fail "Dockerfile: the default build is not the two binaries"
grep -qx 'ENTRYPOINT \["/usr/bin/fleet-usage-exporter-entrypoint"\]' Dockerfile || fail "Dockerfile: ENTRYPOINT"
grep -q 'packaging/container/entrypoint /out/usr/bin/fleet-usage-exporter-entrypoint' Dockerfile || fail "Dockerfile: entrypoint not installed"
grep -q 'build/tests/vendor-sim /out/usr/bin/fleet-usage-vendor-sim' Dockerfile || fail "Dockerfile: simulator not installed"
grep -q 'etc/fleet-usage-exporter/config.toml' <(grep -E '^(COPY|RUN|  *&&|  *install)' Dockerfile) &&
  fail "Dockerfile: the image must not carry a default config"
grep -q 'docker run --rm -p 9867:9867 fleet-usage-exporter demo' Dockerfile || fail "Dockerfile: the demo command is not documented"

# ---- the entrypoint, with the image's layout in a temporary directory ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fue-entrypoint.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mkdir -p "$tmp/bin" "$tmp/share"
ln -s "$(realpath "$exporter")" "$tmp/bin/fleet-usage-exporter"
ln -s "$(realpath "$sim")" "$tmp/bin/fleet-usage-vendor-sim"
ln -s "$PWD/tests/fixtures" "$tmp/share/sim-fixtures"
sim_port=$(free_port)
sed "s#127\.0\.0\.1:9099#127.0.0.1:$sim_port#g" config/demo.toml > "$tmp/share/demo.toml"
export FUE_BIN_DIR=$tmp/bin FUE_SHARE_DIR=$tmp/share FUE_CONFIG_FILE=$tmp/etc/config.toml
export FUE_SIM_LISTEN=127.0.0.1:$sim_port

set +e
sh "$entry" > "$tmp/out" 2> "$tmp/err"
rc=$?
set -e
[ "$rc" != 0 ] || fail "no config: exit 0"
[ "$(wc -l < "$tmp/err")" = 1 ] && grep -qF "no config at $tmp/etc/config.toml: mount yours there" "$tmp/err" ||
  { cat "$tmp/err"; fail "no config: not one line naming the path to mount"; }
[ -s "$tmp/out" ] && fail "no config: wrote to stdout"
sh "$entry" --version > "$tmp/out" 2>&1 || fail "--version needs no config: $(cat "$tmp/out")"
mkdir -p "$tmp/etc"
cp "$tmp/share/demo.toml" "$tmp/etc/config.toml"
sh "$entry" --config.check > "$tmp/out" 2>&1 || fail "a mounted config and --config.check: $(cat "$tmp/out")"
sh "$entry" sh -c 'echo other-command' | grep -qx other-command || fail "other commands are not run as given"

port=$(free_port)
setsid sh "$entry" demo --web.listen-address="127.0.0.1:$port" > "$tmp/demo.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null &&
    curl -fsS -o /dev/null "http://$FUE_SIM_LISTEN/_sim/stats" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -H 'X-Prometheus-Scrape-Timeout-Seconds: 30' "http://127.0.0.1:$port/metrics" > "$tmp/metrics" ||
  { cat "$tmp/demo.log"; fail "demo: /metrics did not answer"; }
targets=$(grep -c '^fleet_usage_exporter_target_up{' "$tmp/metrics" || true)
up=$(grep -c '^fleet_usage_exporter_target_up{.*} 1$' "$tmp/metrics" || true)
[ "$targets" -gt 0 ] && [ "$up" = "$targets" ] || { grep '^fleet_usage_exporter_target_up' "$tmp/metrics"; fail "demo: $up of $targets targets up"; }
promtool check metrics < "$tmp/metrics" > "$tmp/promtool" 2>&1 || { cat "$tmp/promtool"; fail "demo: promtool check metrics"; }
[ "$status" = 0 ] && echo "image entrypoint: ok (demo: $up/$targets targets up)"
exit "$status"

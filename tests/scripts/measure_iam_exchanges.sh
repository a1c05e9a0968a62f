#!/usr/bin/env bash
# Counts, with the real binaries, the IAM token exchanges of the Keystone-style vendors (KooPhone
# and KakaoCloud BCS) that issue 17 measured (defects 2 and 3):
#   - 5 /probe calls of one module account (min_interval 1h): exchanges and listings;
#   - 5 POST /-/reload of an unchanged config, each followed by a /probe of a configured target
#     (min_interval 1h): exchanges and listings;
#   - 4 pages rejected with 401 together (page_size 5, concurrency 4): renewals;
#   - 5 probes of a target whose tokens live 2 minutes (under the 5-minute margin): exchanges.
# Not a ctest test (no _test suffix): a figure to compare builds, e.g. before and after a fix.
#   tests/scripts/measure_iam_exchanges.sh [EXPORTER_BIN [VENDOR_SIM_BIN]]
# The simulator must know the `after` and `concurrent` fault fields.
set -euo pipefail
cd "$(dirname "$0")/../.."
exporter=${1:-build/fleet-usage-exporter}
sim=${2:-build/tests/vendor-sim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fue-iam-XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

"$sim" --listen-address 127.0.0.1:0 >"$tmp/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$tmp/sim.log" && break; sleep 0.1; done
sim_url=$(sed -n 's/.*listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$tmp/sim.log" | head -1)
[ -n "$sim_url" ] || { cat "$tmp/sim.log"; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

mkdir -p "$tmp/accounts/koophone" "$tmp/accounts/kakaocloud_bcs"
printf 'username = "sim-user"\npassword = "sim-huawei-password"\ndomain = "sim-domain"\n' \
  >"$tmp/accounts/koophone/acme.toml"
printf 'application_credential_id = "sim-kakao-id"\napplication_credential_secret = "sim-kakao-secret"\n' \
  >"$tmp/accounts/kakaocloud_bcs/acme.toml"
{
  for v in koophone kakaocloud_bcs; do
    keys="base_url = \"$sim_url/$v\"
iam_url = \"$sim_url/$v\""
    creds=$(cat "$tmp/accounts/$v/acme.toml")
    printf '[module.%s]\nvendor = "%s"\ncredentials_dir = "accounts/%s"\nmin_interval = "1h"\n%s\n\n' \
      "$v" "$v" "$v" "$keys"
    printf '[[%s]]\nname = "cached"\nmin_interval = "1h"\n%s\n%s\n\n' "$v" "$keys" "$creds"
    printf '[[%s]]\nname = "paged"\npage_size = 5\nconcurrency = 4\n%s\n%s\n\n' \
      "$v" "$keys" "$creds"
  done
} >"$tmp/config.toml"

"$exporter" --config.file "$tmp/config.toml" --web.listen-address "127.0.0.1:$port" \
  >"$tmp/exporter.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.1; done

count() { # requests of one route so far
  curl -fs "$sim_url/_sim/stats" |
    python3 -c "import json,sys; print(json.load(sys.stdin)['by_route'].get('$1', 0))"
}
iam_route() {
  if [ "$1" = koophone ]; then echo "POST /koophone/v3/auth/tokens"
  else echo "POST /kakaocloud_bcs/identity/v3/auth/tokens"; fi
}
list_route() {
  if [ "$1" = koophone ]; then echo "GET /koophone/v1/instances/batch-query"
  else echo "GET /kakaocloud_bcs/api/v1/instances"; fi
}
api_prefix() { if [ "$1" = koophone ]; then echo /v1/instances; else echo /api/v1/instances; fi; }
probe() { curl -fs "http://127.0.0.1:$port/probe?$1" | sed -n 's/^probe_success //p'; }

curl -fs "http://127.0.0.1:$port/metrics" >/dev/null # every configured target gets its token
for v in koophone kakaocloud_bcs; do
  iam=$(iam_route "$v") list=$(list_route "$v")
  i0=$(count "$iam") l0=$(count "$list")
  for _ in 1 2 3 4 5; do [ "$(probe "module=$v&target=acme")" = 1 ]; done
  echo "$v: 5 probes of a module account: $(($(count "$iam") - i0)) IAM exchanges," \
    "$(($(count "$list") - l0)) listing requests"
done

for v in koophone kakaocloud_bcs; do
  iam=$(iam_route "$v") list=$(list_route "$v")
  i0=$(count "$iam") l0=$(count "$list")
  for _ in 1 2 3 4 5; do
    curl -fs -X POST --data "" "http://127.0.0.1:$port/-/reload" >/dev/null
    [ "$(probe "target=$v/cached")" = 1 ]
  done
  echo "$v: 5 reloads of an unchanged config: $(($(count "$iam") - i0)) IAM exchanges," \
    "$(($(count "$list") - l0)) listing requests"
done

for v in koophone kakaocloud_bcs; do
  iam=$(iam_route "$v")
  [ "$(probe "target=$v/paged")" = 1 ]
  i0=$(count "$iam")
  curl -fs -X POST "$sim_url/_sim/faults" -d "{\"vendor\": \"$v\", \"path_prefix\":
    \"$(api_prefix "$v")\", \"status\": 401, \"after\": 1, \"times\": 4, \"concurrent\": 4}" >/dev/null
  up=$(probe "target=$v/paged")
  echo "$v: 4 concurrent 401s: $(($(count "$iam") - i0)) renewals (probe_success $up)"
  curl -fs -X DELETE "$sim_url/_sim/faults" >/dev/null
done

for v in koophone kakaocloud_bcs; do
  iam=$(iam_route "$v")
  curl -fs -X POST "$sim_url/_sim/knobs" -d "{\"$v\": {\"token_ttl_seconds\": 120}}" >/dev/null
  # A 401 retires the long-lived token; the renewal brings a 2-minute one.
  curl -fs -X POST "$sim_url/_sim/faults" -d "{\"vendor\": \"$v\", \"path_prefix\":
    \"$(api_prefix "$v")\", \"status\": 401, \"times\": 1}" >/dev/null
  i0=$(count "$iam")
  for _ in 1 2 3 4 5; do [ "$(probe "target=$v/paged")" = 1 ]; done
  echo "$v: 5 probes with a 2-minute token: $(($(count "$iam") - i0)) IAM exchanges" \
    "(1 is the renewal after the 401)"
done

#!/usr/bin/env bash
# The Debian package CPack makes from this build (scripts/package does the same): its control
# data (shared library dependencies, conffiles, maintainer scripts), its files (binary, hardened
# systemd unit, /etc/default with ARGS, config, --help text and docs), the unit accepted by
# `systemd-analyze verify`, and the unpacked binary accepting the packaged config with
# --config.check. scripts/package --chroot-test installs it into a real Debian chroot too.
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
build_dir=${FUE_BUILD_DIR:-build}
status=0
fail() { echo "FAIL: $*"; status=1; }
for tool in cpack dpkg-deb dpkg-shlibdeps systemd-analyze; do
  command -v "$tool" >/dev/null || { echo "$tool not found (Debian packages cmake, dpkg-dev, systemd)"; exit 1; }
done
[ -x "$build_dir/fleet-usage-exporter" ] || { echo "no exporter in $build_dir"; exit 1; }

out=$(cd "$build_dir" && pwd)/deb-test
rm -rf "$out"
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
# What the fue_help target writes, without building anything (the suite's binaries are built).
"$build_dir/fleet-usage-exporter" --help > "$build_dir/help.txt"
(cd "$build_dir" && cpack -G DEB -B "$out" > "$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; exit 1; }
deb=$(ls "$out"/fleet-usage-exporter_*.deb)
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB"

# ---- control data ----
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libc6 libssl3 libstdc++6 ca-certificates; do
  grep -q "\b$dep\b" <<< "$depends" || fail "Depends lacks $dep: $depends"
done
dpkg-deb -e "$deb" "$out/control"
for f in /etc/default/fleet-usage-exporter /etc/fleet-usage-exporter/config.toml; do
  grep -qx "$f" "$out/control/conffiles" || fail "$f is not a conffile"
done
for s in postinst prerm postrm; do [ -x "$out/control/$s" ] || fail "no executable $s"; done

# ---- files ----
dpkg-deb -x "$deb" "$out/root"
root=$out/root
for f in usr/bin/fleet-usage-exporter lib/systemd/system/fleet-usage-exporter.service \
    etc/default/fleet-usage-exporter etc/fleet-usage-exporter/config.toml \
    usr/share/doc/fleet-usage-exporter/help.txt usr/share/doc/fleet-usage-exporter/README.md \
    usr/share/doc/fleet-usage-exporter/configuration.md usr/share/doc/fleet-usage-exporter/example.toml; do
  [ -e "$root/$f" ] || fail "/$f is not in the package"
done
grep -q -- '--config.file' "$root/usr/share/doc/fleet-usage-exporter/help.txt" || fail "help.txt is not the --help text"
file "$root/usr/bin/fleet-usage-exporter" 2>/dev/null | grep -q 'not stripped' && fail "the binary is not stripped"

# ---- the unit: hardened, ARGS from /etc/default, and valid for systemd ----
unit=$root/lib/systemd/system/fleet-usage-exporter.service
for line in 'EnvironmentFile=-/etc/default/fleet-usage-exporter' 'ExecStart=/usr/bin/fleet-usage-exporter $ARGS' \
    DynamicUser=yes ProtectSystem=strict ProtectHome=yes NoNewPrivileges=yes PrivateTmp=yes \
    PrivateDevices=yes CapabilityBoundingSet= MemoryDenyWriteExecute=yes RestrictNamespaces=yes \
    'SystemCallFilter=@system-service' 'WantedBy=multi-user.target'; do
  grep -qxF "$line" "$unit" || fail "the unit lacks $line"
done
grep -q '^ARGS=".*--config.file=/etc/fleet-usage-exporter/config.toml.*"$' "$root/etc/default/fleet-usage-exporter" ||
  fail "/etc/default/fleet-usage-exporter does not set ARGS with the config"
# verify and security --offline read the unit as systemd would; the copy runs the unpacked binary,
# since the package is not installed here. Any warning (an unknown or misspelt key) fails.
mkdir -p "$out/unit"
sed "s#^ExecStart=/usr/bin/fleet-usage-exporter#ExecStart=$root/usr/bin/fleet-usage-exporter#" "$unit" \
  > "$out/unit/fleet-usage-exporter.service"
verify() { systemd-analyze verify --man=no "$1" > "$out/verify.log" 2>&1 && [ ! -s "$out/verify.log" ]; }
verify "$out/unit/fleet-usage-exporter.service" || { cat "$out/verify.log"; fail "systemd-analyze verify: the unit has problems"; }
sed 's/^ProtectSystem=/ProtectSystm=/' "$out/unit/fleet-usage-exporter.service" > "$out/unit/misspelt.service"
verify "$out/unit/misspelt.service" && fail "systemd-analyze verify did not notice a misspelt key"
# Exposure at most 2.0 of 10 ("OK"): a lost hardening line shows here.
systemd-analyze security --offline=yes --threshold=20 "$out/unit/fleet-usage-exporter.service" \
  > "$out/security.log" 2>&1 || { tail -3 "$out/security.log"; fail "systemd-analyze security: exposure above 2.0"; }
exposure=$(grep -o 'Overall exposure level for [^:]*: [0-9.]*' "$out/security.log" | awk '{print $NF}')
echo "unit: systemd-analyze verify clean, exposure $exposure"

# ---- the unpacked binary accepts the packaged config ----
"$root/usr/bin/fleet-usage-exporter" --config.file="$root/etc/fleet-usage-exporter/config.toml" --config.check \
  > "$out/check.log" 2>&1 || { cat "$out/check.log"; fail "--config.check rejects the packaged config"; }
[ "$status" = 0 ] && echo "deb package: ok (Depends: $depends)"
exit "$status"

#!/usr/bin/env bash
# The README's flag table lists exactly the flags `fleet-usage-exporter --help` prints, with the
# same defaults, so the docs cannot drift from the binary.
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
bin=${FUE_EXPORTER_BIN:-build/fleet-usage-exporter}
help=$("$bin" --help)
# From --help: "  --name[=<value>]   text (default: D)".
flags_help=$(printf '%s\n' "$help" | sed -n 's/^  --\([a-z.-]*\).*/\1/p' | sort)
# From the README's "## Flags" table: "| `--name` | default | meaning |".
table=$(sed -n '/^## Flags/,/^## /p' README.md)
flags_readme=$(printf '%s\n' "$table" | sed -n 's/^| `--\([a-z.-]*\)`.*/\1/p' | sort)
status=0
if [ "$flags_help" != "$flags_readme" ]; then
  echo "FAIL: README flag table and --help differ:"
  diff <(echo "$flags_help") <(echo "$flags_readme") | sed 's/^</  only in --help:/; s/^>/  only in README:/' || true
  status=1
fi
# Each default in the table (when it is `code`) is the one --help prints.
while IFS= read -r row; do
  name=$(printf '%s' "$row" | sed -n 's/^| `--\([a-z.-]*\)` | `\([^`]*\)`.*/\1/p')
  default=$(printf '%s' "$row" | sed -n 's/^| `--\([a-z.-]*\)` | `\([^`]*\)`.*/\2/p')
  [ -n "$name" ] || continue
  line=$(printf '%s\n' "$help" | grep -E "^  --$name(=| )" || true)
  if ! printf '%s' "$line" | grep -qF "(default: $default)"; then
    echo "FAIL: --$name: README says default \`$default\`, --help says: $line"
    status=1
  fi
done <<<"$(printf '%s\n' "$table" | grep '^| `--')"
[ $status -eq 0 ] && echo "readme flags: $(echo "$flags_help" | wc -l) flags match --help"
exit $status

#!/usr/bin/env bash
# Every C++ file in the repository is formatted with the repository's .clang-format; a drift
# fails here with the files and lines that differ. Fix with:
#   git ls-files '*.cpp' '*.h' | xargs clang-format -i
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
command -v clang-format >/dev/null || { echo "clang-format not found (Debian package clang-format)"; exit 1; }
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "not a git checkout; nothing to check"
  exit 0
fi
mapfile -t files < <(git ls-files '*.cpp' '*.h')
[ ${#files[@]} -gt 0 ] || { echo "FAIL: no C++ files found"; exit 1; }
if ! out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
  echo "FAIL: files not formatted with .clang-format:"
  printf '%s\n' "$out" | grep -E '^[^ ].*: (error|warning)' | cut -d: -f1,2 | sort -u | head -40
  exit 1
fi
echo "format: ${#files[@]} files match .clang-format"

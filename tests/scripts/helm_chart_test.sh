#!/usr/bin/env bash
# ctest: the Helm chart renders (Go text/template + sprig, as Helm does) for every value set in
# tests/helm/values, every object validates against the Kubernetes and Prometheus Operator
# schemas, values.schema.json rejects the bad value sets, and the exporter accepts every rendered
# config. All of it is scripts/check-chart; this runs it on the build tree ctest uses.
set -euo pipefail
cd "${FUE_SOURCE_DIR:-$(dirname "$0")/../..}"
export FUE_BUILD_DIR=${FUE_BUILD_DIR:-build}
exec scripts/check-chart

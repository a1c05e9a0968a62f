# fleet-usage-exporter container image, built and run from Debian 12 packages only.
#
#   docker build -t fleet-usage-exporter .           # or: buildah bud -t fleet-usage-exporter .
#   docker run --rm -p 9867:9867 fleet-usage-exporter demo      # the demo: simulator + exporter
#   docker run --rm -p 9867:9867 -v "$PWD/my.toml:/etc/fleet-usage-exporter/config.toml:ro" \
#     fleet-usage-exporter                                       # your config
#
# Build arguments:
#   RUN_TESTS=0            1 also builds and runs the test suite in the build stage (opt-in: it
#                          installs the test packages and takes most of an hour on 2 cores)
#   TEST_EXCLUDE=<regex>   ctest -E with RUN_TESTS=1 (default: the Helm chart and dashboard schema
#                          checks, which check the chart and the dashboards, not the binary, and
#                          need npm packages)
#   VERSION, REVISION      OCI labels (VERSION must equal CMakeLists.txt's project version; a test
#                          checks the default)
# scripts/test-image builds this file unchanged with buildah and runs the built image.

# ---- build stage ----
FROM debian:bookworm-slim AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
ARG RUN_TESTS=0
# Packages first, in a layer of their own: a source change does not reinstall them. The default
# build needs only the build packages; the tests' packages come with RUN_TESTS=1.
COPY packaging/build-depends packaging/build-depends
COPY scripts/install-deps scripts/install-deps
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends $(sed -e 's/#.*//' packaging/build-depends) \
 && if [ "$RUN_TESTS" = 1 ]; then scripts/install-deps; fi \
 && rm -rf /var/lib/apt/lists/*
COPY . .
# Release without debug info (the binaries are stripped anyway, and -g is a third of the compile)
# and precompiled third-party headers: CONTRIBUTING.md, "Time to first metric".
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
      -DFUE_PRECOMPILED_HEADERS=ON \
      -DFUE_BUILD_BENCHMARKS=OFF -DFUE_BUILD_TESTS="$([ "$RUN_TESTS" = 1 ] && echo ON || echo OFF)" \
 && if [ "$RUN_TESTS" = 1 ]; then cmake --build build --parallel "$(nproc)"; \
    else cmake --build build --parallel "$(nproc)" --target fleet-usage-exporter vendor-sim; fi
ARG TEST_EXCLUDE=^(helm_chart_test|dashboards_schema_test)$
RUN if [ "$RUN_TESTS" = 1 ]; then \
      cd build && ctest --output-on-failure --timeout 600 -j "$(nproc)" -E "$TEST_EXCLUDE"; \
    fi
# The stripped binaries, the demo's config and fixtures, and the Debian packages that own the
# shared libraries the binaries load: the runtime stage installs exactly those.
RUN install -D -s build/fleet-usage-exporter /out/usr/bin/fleet-usage-exporter \
 && install -D -s build/tests/vendor-sim /out/usr/bin/fleet-usage-vendor-sim \
 && install -D packaging/container/entrypoint /out/usr/bin/fleet-usage-exporter-entrypoint \
 && install -D -m 0644 config/demo.toml /out/usr/share/fleet-usage-exporter/demo.toml \
 && mkdir -p /out/usr/share/fleet-usage-exporter && cp -r tests/fixtures /out/usr/share/fleet-usage-exporter/sim-fixtures \
 && for lib in $(ldd /out/usr/bin/fleet-usage-exporter /out/usr/bin/fleet-usage-vendor-sim | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u); do \
      real=$(readlink -f "$lib"); \
      dpkg -S "$lib" 2>/dev/null || dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" \
        || { echo "no package owns $lib" >&2; exit 1; }; \
    done | cut -d: -f1 | sort -u > /out/runtime-packages \
 && cat /out/runtime-packages

# ---- runtime stage: the binaries, their runtime libraries and ca-certificates ----
FROM debian:bookworm-slim
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="fleet-usage-exporter" \
      org.opencontainers.image.description="Prometheus exporter for the usage, quotas and fleets of IoT and cloud vendor accounts (Losant, Blues Notehub, ThousandEyes, Huawei Cloud KooPhone, KakaoCloud BCS)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim" \
      org.opencontainers.image.documentation="docs/kubernetes.md"
# Packages before the binaries: a source change rebuilds only the COPY layer below.
COPY --from=build /out/runtime-packages /tmp/runtime-packages
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates $(cat /tmp/runtime-packages) \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* /tmp/runtime-packages
# No config here: mount yours at /etc/fleet-usage-exporter/config.toml, or run `demo`.
COPY --from=build /out/usr /usr
# A numeric non-root user, so Kubernetes' runAsNonRoot can verify it without /etc/passwd.
USER 65532:65532
EXPOSE 9867
ENTRYPOINT ["/usr/bin/fleet-usage-exporter-entrypoint"]

# fleet-usage-exporter container image, built, tested and run from Debian 12 packages only.
#
#   docker build -t fleet-usage-exporter .           # or: buildah bud -t fleet-usage-exporter .
#   docker run --rm -p 9867:9867 -v "$PWD/my.toml:/etc/fleet-usage-exporter/config.toml:ro" \
#     fleet-usage-exporter
#
# Build arguments:
#   RUN_TESTS=1            build and run the test suite in the build stage (0 skips both)
#   TEST_EXCLUDE=<regex>   ctest -E: tests not run in the build stage (default: the Helm chart check,
#                          which checks the chart, not the binary, and needs npm packages)
#   VERSION, REVISION      OCI labels (VERSION must equal CMakeLists.txt's project version; a test
#                          checks the default)
# scripts/test-image builds this file unchanged with buildah and scrapes the built image.

# ---- build stage: the README's own scripts install the build dependencies, build and test ----
FROM debian:bookworm-slim AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
# Dependencies first, in a layer of their own: a source change does not reinstall them.
COPY scripts/install-deps scripts/install-deps
RUN scripts/install-deps && rm -rf /var/lib/apt/lists/*
COPY . .
ARG RUN_TESTS=1
ARG TEST_EXCLUDE=^helm_chart_test$
# The benchmarks are not part of the image; everything else builds as on a developer's machine
# (RUN_TESTS=0 leaves out the tests and the simulator too).
RUN if [ "$RUN_TESTS" = 1 ]; then scripts/build -DFUE_BUILD_BENCHMARKS=OFF; \
    else scripts/build -DFUE_BUILD_BENCHMARKS=OFF -DFUE_BUILD_TESTS=OFF; fi
RUN if [ "$RUN_TESTS" = 1 ]; then \
      cd build && ctest --output-on-failure --timeout 600 -j "$(nproc)" -E "$TEST_EXCLUDE"; \
    fi
# The stripped binary, and the Debian packages that own the shared libraries it loads: the
# runtime stage installs exactly those, so a new dependency needs no edit here.
RUN install -D -s build/fleet-usage-exporter /out/usr/bin/fleet-usage-exporter \
 && install -D -m 0644 config/demo.toml /out/etc/fleet-usage-exporter/config.toml \
 && for lib in $(ldd /out/usr/bin/fleet-usage-exporter | awk '$2 == "=>" && $3 ~ /^\// {print $3}'); do \
      real=$(readlink -f "$lib"); \
      dpkg -S "$lib" 2>/dev/null || dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" \
        || { echo "no package owns $lib" >&2; exit 1; }; \
    done | cut -d: -f1 | sort -u > /out/runtime-packages \
 && cat /out/runtime-packages

# ---- runtime stage: the binary, its runtime libraries and ca-certificates ----
FROM debian:bookworm-slim
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="fleet-usage-exporter" \
      org.opencontainers.image.description="Prometheus exporter for the usage, quotas and fleets of IoT and cloud vendor accounts (Losant, Blues Notehub, ThousandEyes, Huawei Cloud KooPhone, KakaoCloud BCS)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim" \
      org.opencontainers.image.documentation="docs/kubernetes.md"
COPY --from=build /out/runtime-packages /tmp/runtime-packages
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates $(cat /tmp/runtime-packages) \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* /tmp/runtime-packages
COPY --from=build /out/usr/bin/fleet-usage-exporter /usr/bin/fleet-usage-exporter
# The default config is the demo: it expects the vendor simulator on 127.0.0.1:9099 (see
# docs/kubernetes.md); mount your own config over it.
COPY --from=build /out/etc/fleet-usage-exporter/config.toml /etc/fleet-usage-exporter/config.toml
# A numeric non-root user, so Kubernetes' runAsNonRoot can verify it without /etc/passwd.
USER 65532:65532
EXPOSE 9867
ENTRYPOINT ["/usr/bin/fleet-usage-exporter", "--config.file=/etc/fleet-usage-exporter/config.toml"]

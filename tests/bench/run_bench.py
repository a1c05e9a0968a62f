#!/usr/bin/python3
"""Runs every fleet-usage-exporter benchmark and prints one table (see docs/benchmarks.md).

Started by scripts/bench. Parts:
  1. exposition: 10k/100k/1M series, (a) ours (b) naive prometheus-cpp (c) Python
     prometheus_client, each case in its own process (peak RSS = that case's getrusage maximum);
     seconds are CPU seconds of the one core the case is pinned to.
  2. latency: the simulator at 100 ms per request with 10,000 KakaoCloud VMs, 10,000 KooPhone
     phones, 2,000 Notehub devices, Losant and ThousandEyes; full /metrics time vs the lower bound.
  3. concurrency: N = 1, 2, 8, 32 simultaneous /metrics clients; upstream requests per cycle, p50/p99.
  4. idle: RSS and CPU at idle, and after many scrapes of a ~100k-series fleet.
  5. peers: at the same latency, BCS and KooPhone fleets through (a) this exporter and (d) the plain
     Python exporter a user would write instead (tests/bench/peer_python_exporter.py).
"""
import argparse
import gzip
import http.client
import json
import math
import statistics
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def pin(cmd):
    return (["taskset", "-c", "0"] + cmd) if shutil.which("taskset") else cmd


def run_json(cmd):
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def promtool_check(path):
    if not shutil.which("promtool"):
        return "promtool missing"
    with open(path, "rb") as f:
        r = subprocess.run(["promtool", "check", "metrics"], stdin=f, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    # promtool also prints lint hints (e.g. about counters); only a non-zero exit is a failure.
    if r.returncode != 0:
        raise SystemExit("promtool rejected %s:\n%s" % (path, r.stdout[:2000]))
    return "ok"


def fmt_size(n):
    return "%.0fk" % (n / 1000) if n < 1000000 else "%.0fM" % (n / 1000000)


# ---------------------------------------------------------------- 1. exposition
def own(r):
    """Peak RSS of a case above what its process held before it started."""
    return r["peak_rss_bytes"] - r["baseline_rss_bytes"]


def exposition(args, tmp, rows):
    bench = os.path.join(args.build_dir, "tests/bench/exposition_bench")
    py = os.path.join(HERE, "exposition_python.py")
    results = {}
    for n in args.sizes:
        big = n >= 1000000
        out_ours = os.path.join(tmp, "ours-%d.txt" % n)
        log("exposition %s: ours" % fmt_size(n))
        ours = run_json(pin([bench, "--case=ours", "--series=%d" % n, "--repeat=%d" % (3 if big else 5)]))
        gz = run_json(pin([bench, "--case=ours_gzip", "--series=%d" % n, "--repeat=%d" % (1 if big else 3)]))
        eng = run_json(pin([bench, "--case=ours_engine", "--series=%d" % n, "--repeat=%d" % (1 if big else 3)]))
        egz = run_json(pin([bench, "--case=ours_engine_gzip", "--series=%d" % n,
                            "--repeat=%d" % (2 if big else 3)]))
        log("exposition %s: naive prometheus-cpp" % fmt_size(n))
        naive = run_json(pin([bench, "--case=naive", "--series=%d" % n, "--repeat=%d" % (1 if big else 2)]))
        log("exposition %s: python prometheus_client" % fmt_size(n))
        python = run_json(pin(["/usr/bin/python3", py, "--series=%d" % n, "--repeat=1"]))
        if n == min(args.sizes):
            # The smallest size's outputs must be valid expositions.
            run_json([bench, "--case=ours", "--series=%d" % n, "--out=" + out_ours])
            out_naive = os.path.join(tmp, "naive-%d.txt" % n)
            run_json([bench, "--case=naive", "--series=%d" % n, "--out=" + out_naive])
            out_py = os.path.join(tmp, "python-%d.txt" % n)
            run_json(["/usr/bin/python3", py, "--series=%d" % n, "--out=" + out_py])
            for p in (out_ours, out_naive, out_py):
                promtool_check(p)
        results[n] = dict(ours=ours, gzip=gz, engine=eng, engine_gzip=egz, naive=naive, python=python)
        rows.append(("exposition %s series: (a) ours" % fmt_size(n),
                     "%.3f s CPU (build %.3f + serialise %.3f), %.1f MB text, peak RSS %.1f MB "
                     "(%.1f MB over the %.1f MB process baseline = %.2fx text)"
                     % (ours["seconds"], ours["build_seconds"], ours["serialize_seconds"],
                        ours["bytes"] / 1e6, ours["peak_rss_bytes"] / 1e6, own(ours) / 1e6,
                        ours["baseline_rss_bytes"] / 1e6, own(ours) / ours["bytes"]),
                     # Both targets are the 1M-series ones; smaller sizes show the trend.
                     "target <= 0.25 s at 1M: %s; RSS <= 2.5x text at 1M: %s" % (
                         ("met" if ours["seconds"] <= 0.25 else "MISSED") if big else "-",
                         ("met" if own(ours) <= 2.5 * ours["bytes"] else "MISSED") if big else "-")))
        rows.append(("exposition %s series: (a) ours + gzip" % fmt_size(n),
                     "%.3f s CPU (gzip %.3f s), %.2f MB gzip, peak RSS %.1f MB"
                     % (gz["seconds"], gz["compress_seconds"], gz["gzip_bytes"] / 1e6,
                        gz["peak_rss_bytes"] / 1e6), ""))
        rows.append(("exposition %s series: (a) ours, whole /metrics step" % fmt_size(n),
                     "%.3f s CPU (collect: build, dedup %.3f + /metrics: shared view, serialise %.3f), peak RSS %.1f MB "
                     "(%.2fx text)" % (eng["seconds"], eng["build_seconds"], eng["serialize_seconds"],
                                       eng["peak_rss_bytes"] / 1e6, own(eng) / eng["bytes"]),
                     "(b)/(a) = %.1fx, (c)/(a) = %.1fx" % (naive["seconds"] / eng["seconds"],
                                                         python["seconds"] / eng["seconds"])))
        limit = {100000: 0.06, 1000000: 0.5}.get(n)
        growth = egz["gzip_bytes"] / egz["zlib_bytes"] - 1
        rows.append(("exposition %s series: (a) ours, whole /metrics step with gzip "
                     "(OpenMetrics, as Prometheus asks)" % fmt_size(n),
                     "%.3f s CPU (collect: build, dedup %.3f + /metrics: render and compress once "
                     "%.3f); a repeated scrape of the same collection %.4f s; %.2f MB gzip "
                     "(zlib default level: %.2f MB, %+.1f%%), peak RSS %.1f MB"
                     % (egz["seconds"], egz["build_seconds"], egz["serialize_seconds"],
                        egz["repeat_seconds"], egz["gzip_bytes"] / 1e6, egz["zlib_bytes"] / 1e6,
                        growth * 100, egz["peak_rss_bytes"] / 1e6),
                     "target <= %s s: %s; size <= +15%% over zlib: %s" % (
                         limit if limit else "-",
                         ("met" if egz["seconds"] <= limit else "MISSED") if limit else "-",
                         "met" if growth <= 0.15 else "MISSED")))
        rows.append(("exposition %s series: (b) naive prometheus-cpp" % fmt_size(n),
                     "%.3f s CPU, peak RSS %.1f MB (%.2fx text)" % (
                         naive["seconds"], naive["peak_rss_bytes"] / 1e6, own(naive) / naive["bytes"]),
                     "(b)/(a) = %.1fx (target >= 20x)" % (naive["seconds"] / ours["seconds"])))
        rows.append(("exposition %s series: (c) Python prometheus_client" % fmt_size(n),
                     "%.3f s CPU, %.1f MB text, peak RSS %.1f MB (%.2fx text)"
                     % (python["seconds"], python["bytes"] / 1e6, python["peak_rss_bytes"] / 1e6,
                        own(python) / python["bytes"]),
                     "(c)/(a) = %.1fx (target >= 20x)" % (python["seconds"] / ours["seconds"])))
    return results


# ---------------------------------------------------------------- processes
def stop_process(p):
    """SIGTERM, then SIGKILL if it has not exited within 15 s."""
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(15)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


class Sim:
    def __init__(self, args, tmp, fleet, latency_ms):
        cmd = [os.path.join(args.build_dir, "tests/vendor-sim"), "--listen-address", "127.0.0.1:0"]
        for v, n in fleet.items():
            cmd += ["--fleet-size", "%s=%d" % (v, n)]
        for v in ("kakaocloud_bcs", "koophone", "notehub", "losant", "thousandeyes"):
            cmd += ["--latency-ms", "%s=%d" % (v, latency_ms)]
        self.out = open(os.path.join(tmp, "sim.out"), "w+")
        self.p = subprocess.Popen(cmd, stdout=self.out, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            self.out.seek(0)
            m = re.search(r"listening on (http://[0-9.:]+)", self.out.read())
            if m:
                self.base = m.group(1)
                return
            if self.p.poll() is not None:
                raise SystemExit("vendor-sim exited early")
            time.sleep(0.05)
        raise SystemExit("vendor-sim did not start")

    def stats(self):
        with urllib.request.urlopen(self.base + "/_sim/stats", timeout=30) as r:
            return json.loads(r.read())

    def reset_stats(self):
        req = urllib.request.Request(self.base + "/_sim/reset", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=30).read()

    def stop(self):
        stop_process(self.p)


class Exporter:
    def __init__(self, args, tmp, sim, concurrency, min_interval, name, build_dir=None):
        text = open(os.path.join(HERE, "latency.toml")).read()
        text = (text.replace("{{SIM}}", sim.base).replace("{{CONCURRENCY}}", str(concurrency))
                .replace("{{MIN_INTERVAL}}", min_interval))
        if args.only_vendors:
            blocks = re.split(r"(?m)^(?=\[\[)", text)
            text = blocks[0] + "".join(
                b for b in blocks[1:] if re.match(r"\[\[(%s)\]\]" % "|".join(args.only_vendors), b))
        self.config = os.path.join(tmp, name + ".toml")
        with open(self.config, "w") as f:
            f.write(text)
        self.port = free_port()
        self.log = open(os.path.join(tmp, name + ".log"), "w")
        self.p = subprocess.Popen([os.path.join(build_dir or args.build_dir, "fleet-usage-exporter"),
                                   "--config.file=" + self.config,
                                   "--web.listen-address=127.0.0.1:%d" % self.port],
                                  stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if get(self.port, "/-/healthy", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            if self.p.poll() is not None:
                raise SystemExit("exporter exited early, see " + self.config)
            time.sleep(0.1)
        raise SystemExit("exporter did not become healthy")

    def rss_bytes(self):
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def anonymous_bytes(self):
        """Anonymous memory (heap, mappings): RSS minus the file-backed code of the binary and its
        libraries, which the kernel can drop and re-read."""
        with open("/proc/%d/smaps_rollup" % self.p.pid) as f:
            for line in f:
                if line.startswith("Anonymous:"):
                    return int(line.split()[1]) * 1024
        return 0

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.p.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def threads(self):
        return len(os.listdir("/proc/%d/task" % self.p.pid))

    def stop(self):
        stop_process(self.p)


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# What Prometheus sends: OpenMetrics first, and gzip.
PROMETHEUS_HEADERS = {
    "Accept": "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
              "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    "Accept-Encoding": "gzip"}


def get(port, path, timeout=60, gzip_ok=False, prometheus=False):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = PROMETHEUS_HEADERS if prometheus else {"Accept-Encoding": "gzip"} if gzip_ok else {}
    c.request("GET", path, headers=headers)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body, r.getheader("Content-Encoding")


def timed_get(port, gzip_ok=False, prometheus=False):
    """/metrics as it came, and the time until the whole response had arrived."""
    t0 = time.monotonic()
    status, body, encoding = get(port, "/metrics", timeout=120, gzip_ok=gzip_ok,
                                 prometheus=prometheus)
    return time.monotonic() - t0, status, body, encoding


def inflated(body, encoding):
    return gzip.decompress(body) if encoding == "gzip" else body


def timed_scrape(port, gzip_ok=False, prometheus=False):
    """timed_get, then the body inflated (the client's work, after the time is taken)."""
    elapsed, status, body, encoding = timed_get(port, gzip_ok, prometheus)
    return elapsed, status, inflated(body, encoding)


def percentile(values, p):
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(math.ceil(p / 100.0 * len(v))) - 1))
    return v[k]


def target_ok(body):
    up = re.findall(rb'fleet_usage_exporter_target_up\{vendor="([a-z_]+)",target="bench"\} (\S+)', body)
    return {v.decode(): s == b"1" for v, s in up}


# ---------------------------------------------------------------- 2. latency + 3. concurrency
PAGED = {  # route of the paged list, page size used, per vendor
    "kakaocloud_bcs": ("GET /kakaocloud_bcs/api/v1/instances", 1000),
    "koophone": ("GET /koophone/v1/instances/batch-query", 100),
}


def lower_bound(per_cycle_routes, concurrency, latency_s):
    """Longest chain of dependent requests: a paged list is page 1, then the remaining pages at
    `concurrency` in flight; every other request is taken to depend on nothing (depth 1). Tokens
    are cached across cycles, so a steady-state cycle has no token exchange in its chain."""
    chain = {}
    for vendor, (route, _) in PAGED.items():
        pages = per_cycle_routes.get(route, 0)
        if pages:
            chain[vendor] = 1 + math.ceil((pages - 1) / concurrency)
    for route, n in per_cycle_routes.items():
        vendor = route.split("/")[1]
        if n and vendor not in chain and "auth/tokens" not in route:
            chain[vendor] = 1
    longest = max(chain.values()) if chain else 0
    return longest * latency_s, chain


def collection_cpu(args, tmp, sim, exp, rows):
    """The exporter's CPU per collection of the bench fleet (one Prometheus-like scrape at a time),
    and with --baseline-build-dir the same for another build's exporter, their rounds interleaved
    against the same simulator so that both see the same machine."""
    runs = [("ours", exp)]
    base = None
    try:
        if args.baseline_build_dir:
            base = Exporter(args, tmp, sim, args.concurrency, "0s", "baseline",
                            build_dir=args.baseline_build_dir)
            timed_scrape(base.port)  # its warm-up: token exchanges, connections
            runs.append(("baseline", base))
        cpu = {name: [] for name, _ in runs}
        scrapes = 2 * args.rounds + 1
        for _ in range(scrapes):
            for name, e in runs:
                c0 = e.cpu_seconds()
                timed_scrape(e.port, prometheus=True)
                cpu[name].append(e.cpu_seconds() - c0)
        ours = statistics.median(cpu["ours"])
        if base:
            before = statistics.median(cpu["baseline"])
            verdict = "ours/baseline = %.2f (target <= 0.5): %s" % (
                ours / before, "met" if ours <= 0.5 * before else "MISSED")
            figures = "ours %.3f s, baseline %.3f s (%s)" % (ours, before, args.baseline_build_dir)
        else:
            verdict = "target <= 0.5x the baseline's: - (no --baseline-build-dir)"
            figures = "ours %.3f s" % ours
        rows.append(("CPU per collection of the bench fleet (median of %d scrapes, one at a time; "
                     "OpenMetrics, gzip)" % scrapes, figures, verdict))
    finally:
        if base:
            base.stop()


def listing_readers(args, rows):
    """tests/bench/listing_parse_bench.cpp: one 1,000-VM BCS page through each reader."""
    bench = os.path.join(args.build_dir, "tests/bench/listing_parse_bench")
    out = subprocess.run(pin([bench, "--benchmark_format=json",
                              "--benchmark_min_time=%s" % ("0.01" if args.smoke else "0.5")]),
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    ms = {b["name"]: b["cpu_time"] for b in json.loads(out)["benchmarks"]}  # milliseconds
    rows.append(("listing page reader: 1,000 BCS VMs (about 1.9 MB), CPU per page",
                 "nlohmann DOM %.2f ms (the old reader, now the fallback); nlohmann SAX doing "
                 "nothing %.2f ms (any SAX reader's floor); simdjson On Demand %.2f ms; ours, "
                 "simdjson's validating parser %.2f ms"
                 % (ms["nlohmann_dom"], ms["nlohmann_sax_floor"], ms["simdjson_on_demand"],
                    ms["production_reader"]),
                 "ours %.0fx faster than the DOM, %.0fx than the SAX floor"
                 % (ms["nlohmann_dom"] / ms["production_reader"],
                    ms["nlohmann_sax_floor"] / ms["production_reader"])))


def latency_and_concurrency(args, tmp, rows):
    fleet = dict(kakaocloud_bcs=args.vms, koophone=args.phones, notehub=args.devices)
    sim = Sim(args, tmp, fleet, args.latency_ms)
    exp = None
    try:
        exp = Exporter(args, tmp, sim, args.concurrency, "0s", "latency")
        # Warm-up: token exchanges and connection set-up are not part of a steady-state cycle.
        _, status, body = timed_scrape(exp.port)  # the text format, for promtool
        promtool_path = os.path.join(tmp, "latency-metrics.txt")
        with open(promtool_path, "wb") as f:
            f.write(body)
        promtool_check(promtool_path)
        sim.reset_stats()
        times = []
        for _ in range(args.latency_runs):
            t, status, body = timed_scrape(exp.port, prometheus=True)
            if status != 200:
                raise SystemExit("/metrics answered %d" % status)
            times.append(t)
        ok = target_ok(body)
        stats = sim.stats()
        per_cycle = {r: n / args.latency_runs for r, n in stats["by_route"].items()}
        bound, chain = lower_bound(per_cycle, args.concurrency, args.latency_ms / 1000.0)
        measured = sorted(times)[len(times) // 2]
        series = sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
        rows.append(("scrape latency (%d ms/request; %d VMs, %d phones, %d devices, losant, "
                     "thousandeyes; concurrency %d)" % (args.latency_ms, args.vms, args.phones,
                                                        args.devices, args.concurrency),
                     "median of %d full /metrics: %.2f s (min %.2f, max %.2f); %d series; "
                     "%.0f upstream requests/cycle; targets up: %s"
                     % (len(times), measured, min(times), max(times), series,
                        stats["total"] / args.latency_runs,
                        ",".join("%s=%d" % (v, u) for v, u in sorted(ok.items()))),
                     "lower bound %.2f s (chain: %s); ratio %.2f (target <= 1.15): %s"
                     % (bound, ", ".join("%s %d" % kv for kv in sorted(chain.items())),
                        measured / bound if bound else float("nan"),
                        "met" if bound and measured / bound <= 1.15 else "MISSED")))
        collection_cpu(args, tmp, sim, exp, rows)

        base_requests = base_p50 = base_cpu = None
        for n in args.clients:
            sim.reset_stats()
            lat = []
            lock = threading.Lock()
            cpu0 = exp.cpu_seconds()
            for _ in range(args.rounds):
                barrier = threading.Barrier(n)
                bodies = []

                # Each client keeps its compressed body and inflates it only after the round:
                # inflating holds Python's GIL, and 32 threads doing it while the others are still
                # receiving timed the harness, not the exporter.
                def client():
                    barrier.wait()
                    t, status, body, encoding = timed_get(exp.port, prometheus=True)
                    with lock:
                        lat.append(t if status == 200 else float("inf"))
                        bodies.append((body, encoding))

                th = [threading.Thread(target=client) for _ in range(n)]
                for t in th:
                    t.start()
                for t in th:
                    t.join()
                for body, encoding in bodies:
                    if not inflated(body, encoding).endswith(b"# EOF\n"):
                        raise SystemExit("a concurrent scrape's body is not a whole exposition")
            cpu = (exp.cpu_seconds() - cpu0) / args.rounds
            per_cycle_total = sim.stats()["total"] / args.rounds
            p50 = percentile(lat, 50)
            if base_requests is None:
                base_requests, base_p50, base_cpu = per_cycle_total, p50, cpu
            # What one more client costs the exporter: its own request (self-metrics, and writing
            # the shared compressed body from the cache), not another rendering of it. Judged
            # at the largest N only: a round's collection CPU itself varies by about 0.1 s, which
            # at N = 2 would be read as the one extra client's cost.
            extra = (cpu - base_cpu) / (n - 1) if n > 1 else None
            judged = n == max(args.clients)
            rows.append(("concurrency N=%d /metrics clients (%d rounds; OpenMetrics, gzip)"
                         % (n, args.rounds),
                         "%.0f upstream requests per cycle; p50 %.2f s, p99 %.2f s; exporter CPU "
                         "%.2f s per round%s"
                         % (per_cycle_total, p50, percentile(lat, 99), cpu,
                            " (%+.1f ms per extra client)" % (extra * 1000) if n > 1 else ""),
                         "requests same as N=1 (%.0f): %s; p50 <= 1.2x N=1's (%.2fx): %s; CPU "
                         "per extra client <= 10 ms: %s"
                         % (base_requests, "met" if per_cycle_total == base_requests else "MISSED",
                            p50 / base_p50, "met" if p50 <= 1.2 * base_p50 else "MISSED",
                            "-" if not judged else "met" if extra <= 0.010 else "MISSED")))
    finally:
        if exp:
            exp.stop()
        sim.stop()


# ---------------------------------------------------------------- 5. peers at 100 ms
class PeerPython:
    """tests/bench/peer_python_exporter.py: the plain Python exporter of peer (d)."""

    def __init__(self, args, tmp, sim):
        self.port = free_port()
        self.log = open(os.path.join(tmp, "peer.log"), "w")
        self.p = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "peer_python_exporter.py"),
                                   "--sim", sim.base, "--port", str(self.port),
                                   "--concurrency", str(args.concurrency)],
                                  stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                get(self.port, "/-/healthy", timeout=5)  # any answer: it is listening
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("the Python peer did not start")

    cpu_seconds = Exporter.cpu_seconds
    stop = Exporter.stop


def full_scrapes(server, runs):
    """Warm-up (tokens), then `runs` Prometheus-like scrapes: median wall, CPU per scrape."""
    timed_scrape(server.port, prometheus=True)
    times = []
    c0 = server.cpu_seconds()
    for _ in range(runs):
        t, status, body = timed_scrape(server.port, prometheus=True)
        if status != 200:
            raise SystemExit("/metrics answered %d" % status)
        times.append(t)
    series = sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
    return sorted(times)[len(times) // 2], (server.cpu_seconds() - c0) / runs, series


def peers(args, tmp, rows):
    sim = Sim(args, tmp, dict(kakaocloud_bcs=args.vms, koophone=args.phones), args.latency_ms)
    saved = args.only_vendors
    args.only_vendors = ["kakaocloud_bcs", "koophone"]
    servers = []
    try:
        ours = Exporter(args, tmp, sim, args.concurrency, "0s", "peers")
        servers.append(ours)
        ours_wall, ours_cpu, ours_series = full_scrapes(ours, args.latency_runs)
        peer = PeerPython(args, tmp, sim)
        servers.append(peer)
        peer_wall, peer_cpu, peer_series = full_scrapes(peer, args.latency_runs)
        rows.append(("peers at %d ms/request: %d BCS VMs and %d KooPhone phones, both listed "
                     "concurrently, pages %d at a time; full Prometheus-like scrape (OpenMetrics, "
                     "gzip), median of %d" % (args.latency_ms, args.vms, args.phones,
                                              args.concurrency, args.latency_runs),
                     "(a) ours: %.2f s wall, %.2f s CPU per scrape, %d series; (d) plain Python "
                     "exporter (urllib + prometheus_client): %.2f s wall, %.2f s CPU, %d series"
                     % (ours_wall, ours_cpu, ours_series, peer_wall, peer_cpu, peer_series),
                     "(d)/(a): wall %.1fx, CPU %.1fx" % (peer_wall / ours_wall,
                                                          peer_cpu / ours_cpu if ours_cpu else
                                                          float("nan"))))
    finally:
        args.only_vendors = saved
        for s in servers:
            s.stop()
        sim.stop()


# ---------------------------------------------------------------- 4. idle cost
def idle(args, tmp, rows):
    sim = Sim(args, tmp, dict(kakaocloud_bcs=args.idle_vms), 0)
    exp = None
    saved = args.only_vendors
    args.only_vendors = ["kakaocloud_bcs"]
    try:
        # Cached mode (min_interval): each scrape serialises the cached ~100k series; the
        # collection itself reruns once per min_interval.
        exp = Exporter(args, tmp, sim, args.concurrency, args.idle_min_interval, "idle")
        time.sleep(args.idle_seconds)
        rss0 = exp.rss_bytes()
        c0 = exp.cpu_seconds()
        time.sleep(args.idle_seconds)
        idle_cpu = (exp.cpu_seconds() - c0) / args.idle_seconds
        _, status, body = timed_scrape(exp.port, gzip_ok=True)
        series = sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
        rss_first = exp.rss_bytes()
        rss_at = {}
        c1 = exp.cpu_seconds()
        t1 = time.monotonic()
        for i in range(1, args.scrapes + 1):
            _, status, _ = timed_scrape(exp.port, gzip_ok=True)
            if status != 200:
                raise SystemExit("/metrics answered %d" % status)
            if i in (args.scrapes // 10, args.scrapes):
                rss_at[i] = exp.rss_bytes()
        cpu_per_scrape = (exp.cpu_seconds() - c1) / args.scrapes
        wall = time.monotonic() - t1
        time.sleep(args.idle_seconds)
        rss_after = exp.rss_bytes()
        anon_after = exp.anonymous_bytes()
        c2 = exp.cpu_seconds()
        time.sleep(args.idle_seconds)
        idle_cpu_after = (exp.cpu_seconds() - c2) / args.idle_seconds
        first, last = args.scrapes // 10, args.scrapes
        growth = rss_at[last] - rss_at[first]
        rows.append(("idle (before any scrape)",
                     "RSS %.1f MB, CPU %.2f%% of a core, %d threads"
                     % (rss0 / 1e6, idle_cpu * 100, exp.threads()),
                     "RSS < 15 MB: %s" % ("met" if rss0 < 15e6 else "MISSED")))
        rows.append(("%d gzip scrapes of %d series (%d VMs, min_interval %s)"
                     % (args.scrapes, series, args.idle_vms, args.idle_min_interval),
                     "RSS after 1st %.1f MB, after %d %.1f MB, after %d %.1f MB; %.1f ms CPU/scrape; %.0f s"
                     % (rss_first / 1e6, first, rss_at[first] / 1e6, last, rss_at[last] / 1e6,
                        cpu_per_scrape * 1000, wall),
                     "growth %d..%d: %+.1f MB (target: none)" % (first, last, growth / 1e6)))
        rows.append(("idle after the scrapes",
                     "RSS %.1f MB (anonymous %.1f MB: the cached set, its rendered gzip body and "
                     "malloc's free pieces; file-backed %.1f MB: code of the binary and its "
                     "libraries), CPU %.2f%% of a core"
                     % (rss_after / 1e6, anon_after / 1e6, (rss_after - anon_after) / 1e6,
                        idle_cpu_after * 100),
                     "RSS < 15 MB: %s" % ("met" if rss_after < 15e6 else "MISSED")))
    finally:
        args.only_vendors = saved
        if exp:
            exp.stop()
        sim.stop()


def machine():
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return "%s, %d cores, %.0f GiB, load average %s" % (
        model, os.cpu_count(), mem, " ".join("%.1f" % x for x in os.getloadavg()))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build-dir", required=True)
    p.add_argument("--baseline-build-dir", default=os.environ.get("FUE_BENCH_BASELINE"),
                   help="another build's directory (its fleet-usage-exporter) to compare the CPU "
                        "per collection with (env FUE_BENCH_BASELINE)")
    p.add_argument("--smoke", action="store_true", help="small sizes, short runs (CI)")
    p.add_argument("--parts", default="exposition,parse,latency,peers,idle")
    a = p.parse_args()
    a.only_vendors = None
    if a.smoke:
        a.sizes = [10000]
        a.vms, a.phones, a.devices, a.latency_ms = 1000, 1000, 200, 20
        a.latency_runs, a.clients, a.rounds = 2, [1, 4], 1
        a.idle_vms, a.scrapes, a.idle_seconds, a.idle_min_interval = 1000, 20, 1, "1h"
    else:
        a.sizes = [10000, 100000, 1000000]
        a.vms, a.phones, a.devices, a.latency_ms = 10000, 10000, 2000, 100
        a.latency_runs, a.clients, a.rounds = 3, [1, 2, 8, 32], 2
        a.idle_vms, a.scrapes, a.idle_seconds, a.idle_min_interval = 10000, 1000, 5, "1h"
    a.concurrency = 8
    parts = a.parts.split(",")

    class Rows(list):
        """Logs each row to stderr as it is made, so an interrupted run still shows its figures."""

        def append(self, row):
            log("| %s | %s | %s |" % row)
            super().append(row)

    rows = Rows()
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="fue-bench-")
    try:
        machine_before = machine()
        if "exposition" in parts:
            exposition(a, tmp, rows)
        if "parse" in parts:
            listing_readers(a, rows)
        if "latency" in parts:
            latency_and_concurrency(a, tmp, rows)
        if "peers" in parts:
            peers(a, tmp, rows)
        if "idle" in parts:
            idle(a, tmp, rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rev = subprocess.run(["git", "-C", SOURCE, "rev-parse", "--short", "HEAD"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
    print("fleet-usage-exporter benchmarks (%s), revision %s, %s" % (
        "smoke" if a.smoke else "full", rev or "?", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
    print("machine: %s (at start), %s (at end); ran %.0f s" % (
        machine_before, " ".join("%.1f" % x for x in os.getloadavg()), time.monotonic() - started))
    print()
    print("| benchmark | figures | ratio / target |")
    print("|---|---|---|")
    for name, fig, ratio in rows:
        print("| %s | %s | %s |" % (name, fig, ratio))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Exposition benchmark (c): Python's prometheus_client with a custom collector.

Builds the same synthetic fleet as tests/bench/synthetic_fleet.h (same families, labels and
values) in a custom collector and serialises it with generate_latest(). Prints one JSON line:
CPU seconds (best of --repeat), bytes and peak_rss_bytes of this process.

    /usr/bin/python3 tests/bench/exposition_python.py --series N [--repeat R] [--out FILE]
"""
import argparse
import json
import resource
import sys
import time

from prometheus_client import generate_latest
from prometheus_client.core import CollectorRegistry, GaugeMetricFamily

STATES = ["active", "building", "stopped", "paused", "error", "deleted"]
FLAVORS = ["m2a.large", "m2a.xlarge", "c2a.2xlarge", "r2a.4xlarge"]
ZONES = ["kr-central-2-a", "kr-central-2-b", "kr-central-2-c"]
IMAGES = ["Ubuntu 22.04", "Rocky Linux 9", "Windows Server 2022"]
SERIES_PER_VM = 2 + len(STATES)
MASK64 = (1 << 64) - 1


def vm(i):
    h = ((i + 1) * 0x9E3779B97F4A7C15) & MASK64
    vid = "%08x-%04x-4%03x-a%03x-%012x" % (h >> 32, (h >> 16) & 0xFFFF, (h >> 4) & 0xFFF,
                                          h & 0xFFF, i)
    return (vid, "vm-prod-%07d" % i, FLAVORS[i % 4], IMAGES[i % 3],
            "gpu" if i % 10 == 0 else "vm", ZONES[i % 3],
            "10.%d.%d.%d" % ((i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF),
            STATES[2 if i % 7 == 0 else 0], 1700000000.0 + i)


class FleetCollector:
    def __init__(self, series):
        self.vms = (series + SERIES_PER_VM - 1) // SERIES_PER_VM

    def collect(self):
        info = GaugeMetricFamily(
            "kakaocloud_bcs_instance_info", "BCS instance identity; always 1.",
            labels=["target", "instance_id", "name", "flavor", "image", "instance_type",
                    "availability_zone", "private_ip"])
        state = GaugeMetricFamily("kakaocloud_bcs_instance_vm_state",
                                  "State code of one BCS instance (StateSet).",
                                  labels=["target", "instance_id", "vm_state"])
        created = GaugeMetricFamily("kakaocloud_bcs_instance_created_timestamp_seconds",
                                    "Creation time of one BCS instance, Unix seconds.",
                                    labels=["target", "instance_id"])
        for i in range(self.vms):
            vid, name, flavor, image, itype, zone, ip, current, ts = vm(i)
            info.add_metric(["prod", vid, name, flavor, image, itype, zone, ip], 1)
            for s in STATES:
                state.add_metric(["prod", vid, s], 1 if s == current else 0)
            created.add_metric(["prod", vid], ts)
        yield info
        yield state
        yield created


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--series", type=int, required=True)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--out")
    a = p.parse_args()
    if a.series <= 0 or a.repeat < 1:
        sys.exit("--series must be > 0 and --repeat >= 1")
    baseline = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                baseline = int(line.split()[1]) * 1024
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FleetCollector(a.series))
    best = None
    size = 0
    for i in range(a.repeat):
        t0 = time.process_time()
        body = generate_latest(registry)
        elapsed = time.process_time() - t0
        size = len(body)
        if a.out and i == 0:
            with open(a.out, "wb") as f:
                f.write(body)
        del body
        best = elapsed if best is None else min(best, elapsed)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"case": "python", "series": a.series, "repeat": a.repeat,
                      "seconds": round(best, 6), "bytes": size, "peak_rss_bytes": rss,
                      "baseline_rss_bytes": baseline}))


if __name__ == "__main__":
    main()

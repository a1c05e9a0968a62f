#!/usr/bin/python3
"""Peer (d) of scripts/bench: the plain Python exporter a user would write instead of this one.

urllib plus prometheus_client (Debian python3-prometheus-client): on each scrape it lists the
simulator's KakaoCloud BCS and KooPhone fleets concurrently (tokens cached, page 1 first, then
the other pages `--concurrency` at a time, as the exporter does) and serves the same families
(per-instance identity, state and time series, and the fleet counts). prometheus_client answers
with OpenMetrics or text as asked, gzipped when accepted.

  peer_python_exporter.py --sim http://127.0.0.1:PORT --port 9999
"""
import argparse
import calendar
import collections
import concurrent.futures
import json
import time
import urllib.request
import uuid
from wsgiref.simple_server import WSGIRequestHandler

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily


def http_json(url, token=None, body=None):
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["X-Auth-Token"] = token
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                 headers=headers, method="POST" if body else "GET")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.headers.get("X-Subject-Token"), json.loads(r.read())


def unix(ts, fmt):
    return calendar.timegm(time.strptime(ts, fmt)) if ts else None


class FleetCollector:
    def __init__(self, sim, concurrency):
        self.sim = sim
        self.pool = concurrent.futures.ThreadPoolExecutor(concurrency)
        self.concurrency = concurrency
        self.tokens = {}

    def token(self, vendor):
        if vendor not in self.tokens:
            if vendor == "kakaocloud_bcs":
                body = {"auth": {"identity": {"methods": ["application_credential"],
                                              "application_credential": {
                                                  "id": "sim-kakao-id",
                                                  "secret": "sim-kakao-secret"}}}}
                url = self.sim + "/kakaocloud_bcs/identity/v3/auth/tokens"
            else:
                user = {"name": "sim-user", "password": "sim-huawei-password",
                        "domain": {"name": "sim-domain"}}
                body = {"auth": {"identity": {"methods": ["password"],
                                              "password": {"user": user}},
                                 "scope": {"project": {"name": "cn-south-1"}}}}
                url = self.sim + "/koophone/v3/auth/tokens?nocatalog=true"
            self.tokens[vendor] = http_json(url, body=body)[0]
        return self.tokens[vendor]

    def bcs_page(self, offset, limit=1000):
        url = "%s/kakaocloud_bcs/api/v1/instances?sort_keys=created_at&sort_dirs=asc&limit=%d" \
              "&offset=%d" % (self.sim, limit, offset)
        return http_json(url, self.token("kakaocloud_bcs"))[1]

    def phone_page(self, page_no, size=100):
        url = "%s/koophone/v1/instances/batch-query?x-request-id=%s&page_no=%d&page_size=%d" % (
            self.sim, uuid.uuid4().hex, page_no, size)
        return http_json(url, self.token("koophone"))[1]["data"]

    def list_bcs(self):
        first = self.bcs_page(0)
        vms, total = first["instances"], first["pagination"]["total"]
        offsets = range(1000, total, 1000)
        for page in self.pool.map(self.bcs_page, offsets):
            vms += page["instances"]
        return vms

    def list_phones(self):
        first = self.phone_page(1)
        phones, total = first["result"], first["total_count"]
        for page in self.pool.map(self.phone_page, range(2, (total + 99) // 100 + 1)):
            phones += page["result"]
        return phones

    def collect(self):
        # Both fleets at once; their pages share the pool.
        with concurrent.futures.ThreadPoolExecutor(2) as both:
            vms = both.submit(self.list_bcs)
            phones = both.submit(self.list_phones)
            vms, phones = vms.result(), phones.result()
        yield from bcs_families(vms)
        yield from phone_families(phones)


def bcs_families(vms):
    yield GaugeMetricFamily("kakaocloud_bcs_instances",
                            "BCS instances listed by GET /api/v1/instances.", value=len(vms))
    flags = ("is_hadoop", "is_k8se")
    for dim, field in (("vm_state", "vm_state"), ("status", "status"), ("flavor", "flavor"),
                       ("instance_type", "instance_type"),
                       ("availability_zone", "availability_zone")):
        counts = collections.Counter()
        for v in vms:
            value = v["flavor"]["name"] if field == "flavor" else (v.get(field) or "unknown")
            counts[(str(value).lower(), str(v["is_hadoop"]).lower(), str(v["is_k8se"]).lower())] += 1
        g = GaugeMetricFamily("kakaocloud_bcs_instances_by_" + dim, "BCS instances per " + dim + ".",
                              labels=[dim] + list(flags))
        for labels, n in counts.items():
            g.add_metric(list(labels), n)
        yield g
    states = sorted({(v.get("vm_state") or "unknown").lower() for v in vms})
    state = GaugeMetricFamily("kakaocloud_bcs_instance_vm_state", "vm_state of one BCS instance.",
                              labels=["instance_id", "kakaocloud_bcs_instance_vm_state"])
    info = GaugeMetricFamily("kakaocloud_bcs_instance_info", "BCS instance identity; always 1.",
                             labels=["instance_id", "name", "flavor", "image", "instance_type",
                                     "availability_zone", "private_ip"])
    created = GaugeMetricFamily("kakaocloud_bcs_instance_created_timestamp_seconds",
                                "Creation time of one BCS instance, Unix seconds.",
                                labels=["instance_id"])
    for v in vms:
        current = (v.get("vm_state") or "unknown").lower()
        for s in states:
            state.add_metric([v["id"], s], 1 if s == current else 0)
        ip = v["addresses"][0]["private_ip"] if v.get("addresses") else ""
        info.add_metric([v["id"], v["name"], v["flavor"]["name"], v["image"]["name"],
                         v["instance_type"], v["availability_zone"], ip], 1)
        t = unix(v.get("created_at"), "%Y-%m-%dT%H:%M:%SZ")
        if t is not None:
            created.add_metric([v["id"]], t)
    yield from (state, info, created)


def phone_families(phones):
    yield GaugeMetricFamily("koophone_instances", "Cloud phone instances listed by batch-query.",
                            value=len(phones))
    for dim, field in (("region", "region"), ("sku", "instance_sku"),
                       ("running_status", "running_status"), ("frozen_status", "frozen_status"),
                       ("login_status", "login_status"), ("assign_status", "assign_status"),
                       ("backup_status", "backup_status"), ("restore_status", "restore_status")):
        counts = collections.Counter(" ".join(str(p.get(field, "unknown")).split()) for p in phones)
        g = GaugeMetricFamily("koophone_instances_by_" + dim, "Cloud phones per " + dim + ".",
                              labels=[dim])
        for value, n in counts.items():
            g.add_metric([value], n)
        yield g
    fmt = "%Y-%m-%d %H:%M:%S"
    states = sorted({str(p["running_status"]) for p in phones})
    state = GaugeMetricFamily("koophone_instance_running_status",
                              "Running status of one cloud phone.",
                              labels=["instance_id", "koophone_instance_running_status"])
    info = GaugeMetricFamily("koophone_instance_info", "Cloud phone identity; always 1.",
                             labels=["instance_id", "instance_name", "sku", "project_id",
                                     "project_name", "region"])
    backup = GaugeMetricFamily("koophone_instance_last_backup_timestamp_seconds",
                               "Last backup status change of one cloud phone, Unix seconds.",
                               labels=["instance_id"])
    restore = GaugeMetricFamily("koophone_instance_last_restore_timestamp_seconds",
                                "Last restore status change of one cloud phone, Unix seconds.",
                                labels=["instance_id"])
    latest = {"backup": None, "restore": None}
    for p in phones:
        for s in states:
            state.add_metric([p["instance_id"], s], 1 if s == str(p["running_status"]) else 0)
        info.add_metric([p["instance_id"], p["instance_name"], " ".join(p["instance_sku"].split()),
                         p["project_id"], p["project_name"], p["region"]], 1)
        for kind, family in (("backup", backup), ("restore", restore)):
            t = unix(p.get(kind + "_time"), fmt)
            if t is not None:
                family.add_metric([p["instance_id"]], t)
                latest[kind] = max(latest[kind] or t, t)
    yield from (state, info, backup, restore)
    for kind in ("backup", "restore"):
        if latest[kind] is not None:
            yield GaugeMetricFamily("koophone_last_%s_timestamp_seconds" % kind,
                                    "Latest %s status change over the fleet." % kind,
                                    value=latest[kind])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sim", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--concurrency", type=int, default=8)
    a = p.parse_args()
    WSGIRequestHandler.log_message = lambda *args: None
    registry = CollectorRegistry()
    registry.register(FleetCollector(a.sim, a.concurrency))
    start_http_server(a.port, addr="127.0.0.1", registry=registry)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()

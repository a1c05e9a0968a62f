#!/usr/bin/env python3
"""Writes the Grafana dashboards of fleet-usage-exporter (dashboards/*.json).

The JSON files are committed; this script is their source. Edit here, run
`python3 dashboards/generate.py`, and commit both. Every panel and target reads the
`datasource` variable; template variables use `label_values()` of the exporter's own series.
Grafana's Import dialog asks for the data source through `__inputs` (DS_PROMETHEUS), and the
`cluster`, `job` and `instance` variables scope every query, so two exporters never mix.
tests/scripts/dashboards_schema_test.sh type-checks the files against @grafana/schema.
tests/unit/dashboards_lint_test.cpp checks the structure and the metric and label names, and
tests/e2e/dashboards_e2e_test.cpp runs every expression against a real Prometheus.
"""
import json
import os
import re
import sys

import spend_dashboard

DS = {"type": "prometheus", "uid": "${datasource}"}
SCHEMA_VERSION = 39
HERE = os.path.dirname(os.path.abspath(__file__))


# Every query is scoped to the selected exporters; `cluster` matches series without that label
# too when "All" (.*) is selected, so it is harmless where Prometheus has no cluster label.
SCOPE = 'cluster=~"$cluster",job=~"$job",instance=~"$instance"'
# Not a label name: a StateSet's state label is named as its family (name!="x" is a matcher).
METRIC = re.compile(r"\b((?:fleet_usage_exporter|losant|notehub|thousandeyes|koophone|kakaocloud_bcs)_[a-z0-9_]+)(?![a-z0-9_])(?![=!])(\{\}|\{)?")


def scope(expr):
    """Adds SCOPE to every selector of the exporter's metrics in a PromQL expression."""
    def add(m):
        if m.group(2) == "{":
            return m.group(1) + "{" + SCOPE + ","
        return m.group(1) + "{" + SCOPE + "}"
    return METRIC.sub(add, expr)


# The Import dialog's data source picker: it replaces ${DS_PROMETHEUS} with the chosen uid.
INPUTS = [{
    "name": "DS_PROMETHEUS",
    "label": "Prometheus",
    "description": "The Prometheus that scrapes fleet-usage-exporter",
    "type": "datasource",
    "pluginId": "prometheus",
    "pluginName": "Prometheus",
}]


def requires(panels):
    out = [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "9.0.0"},
           {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}]
    names = {"timeseries": "Time series", "stat": "Stat", "gauge": "Gauge",
             "bargauge": "Bar gauge", "piechart": "Pie chart", "table": "Table"}
    for t in sorted({p["type"] for p in panels if p["type"] != "row"}):
        out.append({"type": "panel", "id": t, "name": names[t], "version": ""})
    return out


def datasource_var():
    return {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {"selected": False, "text": "${DS_PROMETHEUS}", "value": "${DS_PROMETHEUS}"},
        "hide": 0,
        "includeAll": False,
        "multi": False,
        "options": [],
        "refresh": 1,
        "regex": "",
    }


def query_var(name, query, label=None, multi=True):
    return {
        "name": name,
        "label": label or name,
        "type": "query",
        "datasource": DS,
        "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]} if multi else
                   {"selected": False, "text": "", "value": ""},
        "hide": 0,
        "includeAll": multi,
        "multi": multi,
        "allValue": ".*" if multi else None,
        "options": [],
        "refresh": 2,
        "regex": "",
        "sort": 1,
    }


def custom_var(name, values, default, label=None):
    return {
        "name": name,
        "label": label or name,
        "type": "custom",
        "query": ",".join(values),
        "current": {"selected": True, "text": default, "value": default},
        "hide": 0,
        "includeAll": False,
        "multi": False,
        "options": [
            {"selected": v == default, "text": v, "value": v} for v in values
        ],
    }


class Layout:
    """Places panels left to right in rows of 24 columns."""

    def __init__(self):
        self.panels = []
        self.next_id = 1
        self.x = 0
        self.y = 0
        self.row_h = 0

    def _id(self):
        i = self.next_id
        self.next_id += 1
        return i

    def row(self, title):
        self.newline()
        self.panels.append({
            "id": self._id(),
            "type": "row",
            "title": title,
            "collapsed": False,
            "panels": [],
            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y},
        })
        self.y += 1

    def newline(self):
        if self.x > 0:
            self.y += self.row_h
        self.x = 0
        self.row_h = 0

    def add(self, panel, w, h):
        if self.x + w > 24:
            self.newline()
        panel["id"] = self._id()
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.panels.append(panel)
        self.x += w
        self.row_h = max(self.row_h, h)


def targets(exprs, instant=False, fmt=None):
    out = []
    for i, item in enumerate(exprs):
        expr, legend = item if isinstance(item, tuple) else (item, "")
        t = {
            "refId": chr(ord("A") + i),
            "datasource": DS,
            "expr": scope(expr),
            "legendFormat": legend or "__auto",
            "range": not instant,
            "instant": instant,
        }
        if fmt:
            t["format"] = fmt
        out.append(t)
    return out


def field_config(unit, decimals=None, min_=None, max_=None, thresholds=None, mappings=None,
                 stack=False, draw=None):
    d = {"unit": unit, "color": {"mode": "palette-classic"}, "mappings": mappings or []}
    if decimals is not None:
        d["decimals"] = decimals
    if min_ is not None:
        d["min"] = min_
    if max_ is not None:
        d["max"] = max_
    if thresholds:
        d["color"] = {"mode": "thresholds"}
        d["thresholds"] = {"mode": "absolute", "steps": [
            {"color": c, "value": v} for v, c in thresholds]}
    else:
        d["thresholds"] = {"mode": "absolute", "steps": [{"color": "green", "value": None}]}
    if draw is not None or stack:
        d["custom"] = {
            "drawStyle": draw or "line",
            "fillOpacity": 30 if stack else 10,
            "lineWidth": 1,
            "showPoints": "never",
            "stacking": {"mode": "normal" if stack else "none", "group": "A"},
        }
    return {"defaults": d, "overrides": []}


def timeseries(title, desc, exprs, unit, stack=False, **kw):
    return {
        "type": "timeseries",
        "title": title,
        "description": desc,
        "datasource": DS,
        "fieldConfig": field_config(unit, stack=stack, draw="line", **kw),
        "options": {
            "legend": {"displayMode": "table", "placement": "bottom", "showLegend": True,
                       "calcs": ["lastNotNull"]},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
        "targets": targets(exprs),
    }


def stat(title, desc, exprs, unit, thresholds=None, mappings=None, decimals=None,
         text_mode="auto", graph=True):
    return {
        "type": "stat",
        "title": title,
        "description": desc,
        "datasource": DS,
        "fieldConfig": field_config(unit, decimals=decimals,
                                    thresholds=thresholds or [(None, "blue")],
                                    mappings=mappings),
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "value",
            "graphMode": "area" if graph else "none",
            "justifyMode": "auto",
            "orientation": "auto",
            "textMode": text_mode,
        },
        "targets": targets(exprs),
    }


def gauge(title, desc, exprs, unit="percentunit", max_=1, thresholds=None):
    return {
        "type": "gauge",
        "title": title,
        "description": desc,
        "datasource": DS,
        "fieldConfig": field_config(unit, min_=0, max_=max_, thresholds=thresholds or [
            (None, "green"), (0.8, "orange"), (0.95, "red")]),
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "showThresholdLabels": False,
            "showThresholdMarkers": True,
        },
        "targets": targets(exprs),
    }


def bargauge(title, desc, exprs, unit, max_=None, thresholds=None, instant=True):
    return {
        "type": "bargauge",
        "title": title,
        "description": desc,
        "datasource": DS,
        "fieldConfig": field_config(unit, min_=0, max_=max_,
                                    thresholds=thresholds or [(None, "blue")]),
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "displayMode": "gradient",
            "orientation": "horizontal",
            "showUnfilled": True,
        },
        "targets": targets(exprs, instant=instant),
    }


def piechart(title, desc, exprs, unit="short"):
    return {
        "type": "piechart",
        "title": title,
        "description": desc,
        "datasource": DS,
        "fieldConfig": field_config(unit),
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "pieType": "donut",
            "legend": {"displayMode": "table", "placement": "right", "showLegend": True,
                       "values": ["value", "percent"]},
            "tooltip": {"mode": "single"},
        },
        "targets": targets(exprs, instant=True),
    }


def table(title, desc, exprs, unit, hide=("Time", "__name__", "job", "instance")):
    return {
        "type": "table",
        "title": title,
        "description": desc,
        "datasource": DS,
        "fieldConfig": field_config(unit),
        "options": {"showHeader": True, "cellHeight": "sm",
                    "footer": {"show": False, "reducer": ["sum"], "fields": ""}},
        "transformations": [
            {"id": "organize", "options": {"excludeByName": {h: True for h in hide}}}
        ],
        "targets": targets(exprs, instant=True, fmt="table"),
    }


def scope_vars():
    """cluster, job and instance: which exporters the dashboard shows."""
    info = "fleet_usage_exporter_build_info"
    return [
        query_var("cluster", f"label_values({info}, cluster)", "cluster (optional)"),
        query_var("job", f'label_values({info}{{cluster=~"$cluster"}}, job)'),
        query_var("instance", f'label_values({info}{{cluster=~"$cluster",job=~"$job"}}, instance)', "exporter"),
    ]


def dashboard(uid, title, description, tags, variables, layout):
    for v in variables:
        if v["type"] == "query":
            v["query"]["query"] = scope(v["query"]["query"])
    return {
        "__inputs": INPUTS,
        "__requires": requires(layout.panels),
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["fleet-usage-exporter"] + tags,
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "refresh": "5m",
        "time": {"from": "now-7d", "to": "now"},
        "timepicker": {},
        "timezone": "",
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "annotations": {"list": [{
            "builtIn": 1,
            "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True,
            "hide": True,
            "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts",
            "type": "dashboard",
        }]},
        "links": [{
            "title": "Fleet usage dashboards",
            "type": "dashboards",
            "tags": ["fleet-usage-exporter"],
            "asDropdown": True,
            "includeVars": True,
            "keepTime": True,
            "icon": "external link",
            "targetBlank": False,
            "tooltip": "",
            "url": "",
        }],
        "templating": {"list": [datasource_var()] + scope_vars() + variables},
        "panels": layout.panels,
    }


UP_MAPPING = [{"type": "value", "options": {
    "0": {"text": "DOWN", "color": "red", "index": 0},
    "1": {"text": "UP", "color": "green", "index": 1}}}]
OK_MAPPING = [{"type": "value", "options": {
    "0": {"text": "FAILED", "color": "red", "index": 0},
    "1": {"text": "OK", "color": "green", "index": 1}}}]


# --------------------------------------------------------------------------------------------
def overview():
    sel = 'vendor=~"$vendor",target=~"$target"'
    t = 'target=~"$target"'
    L = Layout()
    L.row("Exporter health")
    L.add(stat("Targets up", "Targets whose last collection succeeded.",
               [f"sum(fleet_usage_exporter_target_up{{{sel}}})"], "none",
               thresholds=[(None, "green")]), 4, 4)
    L.add(stat("Targets down", "Targets whose last collection failed (see the table below for the reason counters).",
               [f"sum(1 - fleet_usage_exporter_target_up{{{sel}}})"], "none",
               thresholds=[(None, "green"), (1, "red")]), 4, 4)
    L.add(stat("Last config reload", "Whether the last configuration load (start-up or reload) succeeded.",
               ["max(fleet_usage_exporter_config_last_reload_successful)"], "none",
               thresholds=[(None, "red"), (1, "green")], mappings=OK_MAPPING, graph=False), 4, 4)
    L.add(stat("Config loaded", "Time since the last successful configuration load.",
               ["time() - max(fleet_usage_exporter_config_last_reload_success_timestamp_seconds)"],
               "s", graph=False), 4, 4)
    L.add(stat("Failed reloads", "Configuration loads refused in the dashboard's time range.",
               ['sum(increase(fleet_usage_exporter_config_reloads_total{result="failure"}[$__range]))'],
               "none", thresholds=[(None, "green"), (1, "red")], decimals=0, graph=False), 4, 4)
    L.add(stat("Whole collection", "How long the last /metrics collection of every target took.",
               ["max(fleet_usage_exporter_scrape_duration_seconds)"], "s"), 4, 4)
    L.add(timeseries("Target up", "1 when the target's last collection succeeded, 0 when it failed.",
                     [(f"fleet_usage_exporter_target_up{{{sel}}}", "{{vendor}} / {{target}}")],
                     "none", min_=0, max_=1, mappings=UP_MAPPING), 12, 8)
    L.add(timeseries("Collection duration", "Time of the last upstream collection per target.",
                     [(f"fleet_usage_exporter_target_scrape_duration_seconds{{{sel}}}", "{{vendor}} / {{target}}")],
                     "s"), 12, 8)
    L.add(timeseries("Data age", "Age of the served data: 0 when freshly collected, more when served from the min_interval cache.",
                     [(f"fleet_usage_exporter_target_data_age_seconds{{{sel}}}", "{{vendor}} / {{target}}")],
                     "s"), 12, 8)
    L.add(timeseries("Since last success", "Time since the target's last successful upstream collection.",
                     [(f"time() - fleet_usage_exporter_target_last_success_timestamp_seconds{{{sel}}}", "{{vendor}} / {{target}}")],
                     "s"), 12, 8)
    L.row("Vendor APIs")
    L.add(timeseries("API requests by status code", "Upstream requests per second by vendor and HTTP status (or error/timeout).",
                     [(f"sum by (vendor, code) (rate(fleet_usage_exporter_api_requests_total{{{sel}}}[$__rate_interval]))", "{{vendor}} {{code}}")],
                     "reqps", stack=True), 12, 8)
    L.add(timeseries("Failed collections by reason", "Collections that failed, by vendor and reason.",
                     [(f"sum by (vendor, reason) (increase(fleet_usage_exporter_target_scrape_errors_total{{{sel}}}[$__rate_interval]))", "{{vendor}} {{reason}}")],
                     "none", stack=True), 12, 8)
    L.add(timeseries("Rate limited (HTTP 429)", "Upstream answers that were rate limited, per vendor.",
                     [(f"sum by (vendor) (increase(fleet_usage_exporter_api_rate_limited_total{{{sel}}}[$__rate_interval]))", "{{vendor}}")],
                     "none"), 8, 8)
    L.add(timeseries("Retries", "Upstream requests retried after a connection error or 5xx, per vendor.",
                     [(f"sum by (vendor) (increase(fleet_usage_exporter_api_retries_total{{{sel}}}[$__rate_interval]))", "{{vendor}}")],
                     "none"), 8, 8)
    L.add(timeseries("Partial errors by reason", "Problems that failed part of a collection (one instance, one group) but not the target.",
                     [(f"sum by (vendor, target, reason) (fleet_usage_exporter_target_partial_errors_total{{{sel}}})", "{{vendor}} / {{target}} {{reason}}")],
                     "none"), 8, 8)
    L.add(timeseries("API latency p95", "95th percentile of upstream request durations by vendor and endpoint.",
                     [(f"histogram_quantile(0.95, sum by (vendor, endpoint, le) (rate(fleet_usage_exporter_api_request_duration_seconds_bucket{{{sel}}}[$__rate_interval])))", "{{vendor}} {{endpoint}}")],
                     "s"), 12, 8)
    L.add(table("Series dropped by the max_resources cap", "Per-resource series not exported because of the target's max_resources cap (counter since start).",
                [f"sum by (vendor, target) (fleet_usage_exporter_dropped_series_total{{{sel}}})"], "none"), 12, 8)
    L.row("Headline per vendor")
    L.add(stat("Losant devices", "Devices over every Losant instance (latest day).",
               [f"sum(losant_instance_devices{{{t}}})"], "short"), 5, 5)
    L.add(stat("Notehub devices seen in 24h", "Devices of every Notehub project active in the last 24 hours.",
               [f'sum(notehub_devices_seen{{{t},window="24h"}})'], "short"), 5, 5)
    L.add(stat("ThousandEyes cloud units used", "Cloud units used this billing period against the quota, highest organisation.",
               [f"max(thousandeyes_cloud_units_used_total{{{t}}} / (thousandeyes_cloud_units_included{{{t}}} > 0))"],
               "percentunit", thresholds=[(None, "green"), (0.8, "orange"), (0.95, "red")], decimals=1), 5, 5)
    L.add(stat("KooPhone phones running", "Cloud phones in the running state.",
               [f'sum(koophone_instances_by_running_status{{{t},running_status="running"}})'], "short"), 5, 5)
    L.add(stat("KakaoCloud BCS VMs active", "Virtual machines in vm_state active.",
               [f'sum(kakaocloud_bcs_instances_by_vm_state{{{t},vm_state="active"}})'], "short"), 4, 5)
    L.row("Exporter build")
    L.add(table("Build", "Version of the running exporter.",
                ["fleet_usage_exporter_build_info"], "none", hide=("Time", "__name__", "Value")), 24, 4)
    return dashboard(
        "fue-overview", "Fleet usage exporter / Overview",
        "Health of every fleet-usage-exporter target and one headline figure per vendor.",
        ["overview"],
        [query_var("vendor", "label_values(fleet_usage_exporter_target_up, vendor)"),
         query_var("target", 'label_values(fleet_usage_exporter_target_up{vendor=~"$vendor"}, target)')],
        L)


# --------------------------------------------------------------------------------------------
def losant():
    s = 'target=~"$target",instance_id=~"$instance_id"'
    L = Layout()
    L.row("Devices")
    L.add(stat("Devices", "Devices on the latest day, over the selected instances.",
               [f"sum(losant_instance_devices{{{s}}})"], "short"), 6, 5)
    L.add(gauge("Devices against plan limit", "Devices per instance divided by the instance's device limit.",
                [(f'losant_instance_devices{{{s}}} / on(target, instance_id) (losant_instance_limit{{{s},kind="device"}} > 0)', "{{instance_id}}")]), 6, 5)
    L.add(stat("Created on the latest day", "Devices created on the latest day.",
               [f"sum(losant_instance_devices_created_latest_day{{{s}}})"], "short"), 6, 5)
    L.add(stat("Deleted on the latest day", "Devices deleted on the latest day.",
               [f"sum(losant_instance_devices_deleted_latest_day{{{s}}})"], "short"), 6, 5)
    L.add(timeseries("Devices over time", "Devices per instance.",
                     [(f"losant_instance_devices{{{s}}} * on(target, instance_id) group_left(name) losant_instance_info{{{s}}}", "{{target}} {{name}}")],
                     "short"), 24, 8)
    L.row("Payloads")
    L.add(timeseries("Payloads this period", "Payloads since the start of the billing month (billable, or all with include_non_billable).",
                     [(f"losant_instance_payloads_total{{{s}}}", "{{target}} {{instance_id}} {{payload_scope}}")],
                     "short"), 12, 8)
    L.add(timeseries("Payload rate", "Payloads per second, from the period-to-date counter.",
                     [(f"sum by (target, instance_id) (rate(losant_instance_payloads_total{{{s}}}[$__rate_interval]))", "{{target}} {{instance_id}}")],
                     "ops"), 12, 8)
    L.add(bargauge("Payloads by kind, this period", "Payloads since the start of the month by category (deviceState, webhook, timer, ...).",
                   [(f"sum by (category) (losant_instance_payloads_by_source_total{{{s}}})", "{{category}}")],
                   "short"), 12, 8)
    L.add(bargauge("Payloads by source, this period", "Payloads since the start of the month by source (device.mqtt, public.rest, ...).",
                   [(f"sum by (source) (losant_instance_payloads_by_source_total{{{s}}})", "{{source}}")],
                   "short"), 12, 8)
    L.add(timeseries("Payload bytes this period", "Payload bytes since the start of the month (with payload_as_bytes).",
                     [(f"losant_instance_payload_bytes_total{{{s}}}", "{{target}} {{instance_id}} {{payload_scope}}")],
                     "bytes"), 12, 8)
    L.add(timeseries("Payloads in the newest bucket", "Payloads in the newest (partial) day or hour.",
                     [(f"losant_instance_payloads_latest_interval{{{s}}}", "{{target}} {{instance_id}} per {{resolution}}")],
                     "short"), 12, 8)
    L.row("Notebooks")
    L.add(timeseries("Notebook execution time this period", "Notebook execution time since the start of the month.",
                     [(f"losant_instance_notebook_execution_seconds_total{{{s}}}", "{{target}} {{instance_id}}")],
                     "s"), 12, 8)
    L.add(bargauge("Notebook runs by outcome, this period", "Notebook runs since the start of the month by outcome.",
                   [(f"sum by (outcome) (losant_instance_notebook_runs_total{{{s}}})", "{{outcome}}")],
                   "short"), 12, 8)
    L.row("Usage against plan limits")
    L.add(bargauge("Usage against plan limits", "Each figure divided by the instance's limit: devices, billable payloads this month, notebook minutes this month, members.",
                   [(f'losant_instance_devices{{{s}}} / on(target, instance_id) (losant_instance_limit{{{s},kind="device"}} > 0)', "devices {{instance_id}}"),
                    (f'losant_instance_payloads_total{{{s}}} / on(target, instance_id) group_left() (losant_instance_limit{{{s},kind="payload"}} > 0)', "payloads ({{payload_scope}}) {{instance_id}}"),
                    (f'losant_instance_notebook_execution_seconds_total{{{s}}} / on(target, instance_id) (losant_instance_limit_seconds{{{s},kind="notebook_execution_per_month"}} > 0)', "notebook minutes {{instance_id}}"),
                    (f'sum by (target, instance_id) (losant_instance_members{{{s}}}) / on(target, instance_id) (losant_instance_limit{{{s},kind="member"}} > 0)', "members {{instance_id}}")],
                   "percentunit", max_=1, thresholds=[(None, "green"), (0.8, "orange"), (0.95, "red")]), 24, 10)
    L.add(table("Plan limits", "Every limit of the selected instances: counts, bytes and seconds.",
                [f"losant_instance_limit{{{s}}}", f"losant_instance_limit_bytes{{{s}}}",
                 f"losant_instance_limit_seconds{{{s}}}"], "short"), 12, 8)
    L.add(table("Top resources by billable payloads", "Organizations and applications with the most billable payloads this period.",
                [f'topk($topn, losant_resource_payloads_total{{{s},billing="billable"}} * on(target, instance_id, resource_type, resource_id) group_left(resource_name) losant_resource_info{{{s}}})'],
                "short"), 12, 8)
    L.row("Instance health")
    L.add(timeseries("Instance collected", "1 when every endpoint of the instance answered in the last collection.",
                     [(f"losant_instance_scrape_success{{{s}}}", "{{target}} {{instance_id}}")],
                     "none", min_=0, max_=1, mappings=OK_MAPPING), 24, 6)
    return dashboard(
        "fue-losant", "Fleet usage exporter / Losant",
        "Losant instances: devices over time, payloads by kind, notebook time and usage against plan limits.",
        ["losant"],
        [query_var("target", "label_values(losant_instance_info, target)"),
         query_var("instance_id", 'label_values(losant_instance_info{target=~"$target"}, instance_id)', "instance"),
         custom_var("topn", ["5", "10", "20", "50"], "10", "top N")],
        L)


# --------------------------------------------------------------------------------------------
def notehub():
    s = 'target=~"$target",project=~"$project"'
    L = Layout()
    L.row("Per project, this period")
    L.add(bargauge("Data by transport", "Bytes moved this period (month, week or day: the target's period) per project and transport.",
                   [(f"sum by (project, transport) (notehub_data_bytes_total{{{s}}})", "{{project}} {{transport}}")],
                   "bytes"), 8, 8)
    L.add(bargauge("Events", "Events this period per project (platform events included).",
                   [(f"sum by (project) (notehub_events_total{{{s}}})", "{{project}}")],
                   "short"), 8, 8)
    L.add(bargauge("Sessions", "Device sessions this period per project.",
                   [(f"sum by (project) (notehub_sessions_total{{{s}}})", "{{project}}")],
                   "short"), 8, 8)
    L.add(timeseries("Data rate", "Bytes per second per project.",
                     [(f"sum by (project) (rate(notehub_data_bytes_total{{{s}}}[$__rate_interval]))", "{{project}}")],
                     "Bps"), 8, 8)
    L.add(timeseries("Billable and platform events", "Events this period by kind.",
                     [(f"sum by (project) (notehub_billable_events_total{{{s}}})", "billable {{project}}"),
                      (f"sum by (project) (notehub_platform_events_total{{{s}}})", "platform {{project}}")],
                     "short"), 8, 8)
    L.add(timeseries("Sessions by transport", "Sessions this period by transport prefix.",
                     [(f"sum by (transport) (notehub_transport_sessions_total{{{s}}})", "{{transport}}")],
                     "short", stack=True), 8, 8)
    L.add(timeseries("Devices with activity", "Devices with activity this period, per usage endpoint.",
                     [(f"sum by (project, endpoint) (notehub_usage_devices{{{s}}})", "{{project}} {{endpoint}}")],
                     "short"), 12, 8)
    L.add(table("Truncated usage answers", "1 when a usage answer hit the limit and its figures are too low.",
                [f"max by (target, project, endpoint) (notehub_usage_truncated{{{s}}})"], "none"), 12, 8)
    L.row("Top devices, this period")
    L.add(bargauge("Top devices by data", "The top N devices by bytes this period (aggregate = device).",
                   [(f"topk($topn, sum by (project, device) (notehub_device_data_bytes_total{{{s}}}))", "{{device}}")],
                   "bytes"), 8, 10)
    L.add(bargauge("Top devices by events", "The top N devices by events this period.",
                   [(f"topk($topn, sum by (project, device) (notehub_device_events_total{{{s}}}))", "{{device}}")],
                   "short"), 8, 10)
    L.add(bargauge("Top devices by sessions", "The top N devices by sessions this period.",
                   [(f"topk($topn, sum by (project, device) (notehub_device_sessions_total{{{s}}}))", "{{device}}")],
                   "short"), 8, 10)
    L.row("Fleets")
    L.add(bargauge("Data per fleet", "Bytes this period per fleet (aggregate = fleet).",
                   [(f"sum by (project, fleet) (notehub_fleet_data_bytes_total{{{s}}})", "{{fleet}}")],
                   "bytes"), 8, 8)
    L.add(bargauge("Events per fleet", "Events this period per fleet.",
                   [(f"sum by (project, fleet) (notehub_fleet_events_total{{{s}}})", "{{fleet}}")],
                   "short"), 8, 8)
    L.add(bargauge("Sessions per fleet", "Sessions this period per fleet.",
                   [(f"sum by (project, fleet) (notehub_fleet_sessions_total{{{s}}})", "{{fleet}}")],
                   "short"), 8, 8)
    L.row("Device inventory")
    L.add(timeseries("Provisioned devices", "Devices by state.",
                     [(f"sum by (project, state) (notehub_devices{{{s}}})", "{{project}} {{state}}")],
                     "short"), 8, 8)
    L.add(timeseries("Devices seen", "Devices whose last activity is within the window.",
                     [(f"sum by (window) (notehub_devices_seen{{{s}}})", "seen in {{window}}")],
                     "short"), 8, 8)
    L.add(stat("Devices never seen", "Devices that never reported any activity.",
               [f"sum(notehub_devices_never_seen{{{s}}})"], "short"), 8, 8)
    L.add(table("Devices per fleet", "Enabled and disabled devices per fleet, with the fleet's label.",
                [f"notehub_fleet_devices{{{s}}} * on(target, project, fleet) group_left(label) notehub_fleet_info{{{s}}}"],
                "short"), 24, 8)
    return dashboard(
        "fue-notehub", "Fleet usage exporter / Notehub",
        "Blues Notehub: data, events and sessions per project and for the top-N devices; device inventory.",
        ["notehub"],
        [query_var("target", "label_values(notehub_events_total, target)"),
         query_var("project", 'label_values(notehub_events_total{target=~"$target"}, project)'),
         custom_var("topn", ["5", "10", "20", "50"], "10", "top N")],
        L)


# --------------------------------------------------------------------------------------------
def thousandeyes():
    o = 'target=~"$target",query_aid=~"$query_aid"'
    g = 'target=~"$target",account_group_name=~"$account_group"'
    L = Layout()
    L.row("Cloud units against quota")
    L.add(gauge("Cloud units used / included", "Cloud units used this billing period divided by the units included.",
                [(f"thousandeyes_cloud_units_used_total{{{o}}} / (thousandeyes_cloud_units_included{{{o}}} > 0)", "{{target}} {{query_aid}}")]), 6, 7)
    L.add(gauge("Projected / included (vendor)", "ThousandEyes' own projection for the whole period divided by the units included.",
                [(f"thousandeyes_cloud_units_projected{{{o}}} / (thousandeyes_cloud_units_included{{{o}}} > 0)", "{{target}} {{query_aid}}")],
                max_=1.5), 6, 7)
    L.add(gauge("Linear forecast / included", "Units used so far extrapolated linearly to the end of the billing period, divided by the units included.",
                [(f"(thousandeyes_cloud_units_used_total{{{o}}} / clamp_min(time() - thousandeyes_billing_period_start_timestamp_seconds{{{o}}}, 3600) * (thousandeyes_billing_period_end_timestamp_seconds{{{o}}} - thousandeyes_billing_period_start_timestamp_seconds{{{o}}})) / (thousandeyes_cloud_units_included{{{o}}} > 0)", "{{target}} {{query_aid}}")],
                max_=1.5), 6, 7)
    L.add(stat("Billing period ends in", "Time left in the current billing period.",
               [(f"thousandeyes_billing_period_end_timestamp_seconds{{{o}}} - time()", "{{target}} {{query_aid}}")],
               "s", graph=False), 6, 7)
    L.add(timeseries("Cloud units: used, projected, included", "Units used so far, the vendor's projection for the period, and the quota.",
                     [(f"thousandeyes_cloud_units_used_total{{{o}}}", "used {{target}} {{query_aid}}"),
                      (f"thousandeyes_cloud_units_projected{{{o}}}", "projected {{target}} {{query_aid}}"),
                      (f"thousandeyes_cloud_units_included{{{o}}}", "included {{target}} {{query_aid}}")],
                     "short"), 12, 8)
    L.add(timeseries("Units per hour", "Cloud and enterprise units consumed per hour.",
                     [(f"sum by (target, query_aid) (rate(thousandeyes_cloud_units_used_total{{{o}}}[$__rate_interval])) * 3600", "cloud {{target}} {{query_aid}}"),
                      (f"sum by (target, query_aid) (rate(thousandeyes_enterprise_units_used_total{{{o}}}[$__rate_interval])) * 3600", "enterprise {{target}} {{query_aid}}")],
                     "short"), 12, 8)
    L.add(timeseries("Next billing period (vendor projection)", "Units the vendor expects in the next billing period.",
                     [(f"thousandeyes_cloud_units_next_period_projected{{{o}}}", "cloud {{target}} {{query_aid}}"),
                      (f"thousandeyes_enterprise_units_next_period_projected{{{o}}}", "enterprise {{target}} {{query_aid}}"),
                      (f"thousandeyes_connected_devices_units_next_period_projected{{{o}}}", "connected devices {{target}} {{query_aid}}")],
                     "short"), 24, 8)
    L.row("Top tests")
    L.add(table("Top tests by cloud units", "The top N tests by cloud units used this billing period.",
                [f"topk($topn, thousandeyes_test_cloud_units_used_total{{{g}}})"], "short"), 12, 10)
    L.add(table("Top tests by enterprise units", "The top N tests by enterprise-agent units (usage-based pricing only).",
                [f"topk($topn, thousandeyes_test_breakdown_enterprise_units_used_total{{{g}}})"], "short"), 12, 10)
    L.add(bargauge("Cloud units by test type", "Cloud units used this period per test type.",
                   [(f"sum by (test_type) (thousandeyes_test_cloud_units_used_total{{{g}}})", "{{test_type}}")],
                   "short"), 12, 8)
    L.add(bargauge("Cloud units by account group", "Cloud units used this period per account group.",
                   [(f"sum by (account_group_name) (thousandeyes_test_cloud_units_used_total{{{g}}})", "{{account_group_name}}")],
                   "short"), 12, 8)
    L.row("Agents")
    L.add(bargauge("Agents used / included", "Peak agents enabled this period divided by the agents included.",
                   [(f"thousandeyes_endpoint_agents_used{{{o}}} / (thousandeyes_endpoint_agents_included{{{o}}} > 0)", "endpoint {{target}}"),
                    (f"thousandeyes_endpoint_agents_essentials_used{{{o}}} / (thousandeyes_endpoint_agents_essentials_included{{{o}}} > 0)", "endpoint essentials {{target}}"),
                    (f"thousandeyes_endpoint_agents_embedded_used{{{o}}} / (thousandeyes_endpoint_agents_embedded_included{{{o}}} > 0)", "endpoint embedded {{target}}")],
                   "percentunit", max_=1, thresholds=[(None, "green"), (0.8, "orange"), (0.95, "red")]), 12, 8)
    L.add(timeseries("Enterprise agents", "Enterprise agents used (peak enabled in any hour of the period) per account group and for the organisation, and the agents included (legacy billing; 0 when the plan includes none).",
                     [(f"sum by (account_group_name) (thousandeyes_account_group_enterprise_agents_used{{{g}}})", "{{account_group_name}}"),
                      (f"thousandeyes_enterprise_agents_used{{{o}}}", "organisation {{target}} {{query_aid}}"),
                      (f"thousandeyes_enterprise_agents_included{{{o}}}", "included {{target}} {{query_aid}}")],
                     "short"), 12, 8)
    L.add(table("Top enterprise agents by units", "The top N enterprise agents by units used this period.",
                [f"topk($topn, thousandeyes_enterprise_agent_units_used_total{{{g}}})"], "short"), 24, 10)
    L.row("API budget")
    L.add(timeseries("Rate budget left", "X-Organization-Rate-Limit-Remaining divided by the limit, after the last request.",
                     [(f"thousandeyes_rate_limit_remaining{{{o}}} / (thousandeyes_rate_limit_requests{{{o}}} > 0)", "{{target}} {{query_aid}}")],
                     "percentunit", min_=0, max_=1), 12, 7)
    L.add(table("Units groups available", "1 when the units breakdown answers (usage-based pricing), 0 while it is closed after a 403/404.",
                [f"thousandeyes_metric_group_available{{{o}}}"], "none"), 12, 7)
    return dashboard(
        "fue-thousandeyes", "Fleet usage exporter / ThousandEyes",
        "ThousandEyes: units against quota, forecast to the end of the billing period, top tests by units, enterprise agents.",
        ["thousandeyes"],
        [query_var("target", "label_values(thousandeyes_cloud_units_used_total, target)"),
         query_var("query_aid", 'label_values(thousandeyes_cloud_units_used_total{target=~"$target"}, query_aid)', "account group (query)"),
         query_var("account_group", 'label_values(thousandeyes_test_cloud_units_used_total{target=~"$target"}, account_group_name)', "account group (owner)"),
         custom_var("topn", ["5", "10", "20", "50"], "10", "top N")],
        L)


# --------------------------------------------------------------------------------------------
def koophone():
    t = 'target=~"$target"'
    L = Layout()
    L.row("Fleet")
    L.add(stat("Phones", "Cloud phones listed.", [f"sum(koophone_instances{{{t}}})"], "short"), 4, 5)
    L.add(stat("Running", "Phones in the running state.",
               [f'sum(koophone_instances_by_running_status{{{t},running_status="running"}})'], "short",
               thresholds=[(None, "green")]), 4, 5)
    L.add(stat("Frozen", "Phones frozen (usually for arrears).",
               [f'sum(koophone_instances_by_frozen_status{{{t},frozen_status="frozen"}})'], "short",
               thresholds=[(None, "green"), (1, "red")]), 4, 5)
    L.add(stat("Logged in", "Phones with a user logged in.",
               [f'sum(koophone_instances_by_login_status{{{t},login_status="logged_in"}})'], "short"), 4, 5)
    L.add(stat("Failed backups", "Phones whose latest backup failed.",
               [f'sum(koophone_instances_by_backup_status{{{t},backup_status="failed"}})'], "short",
               thresholds=[(None, "green"), (1, "red")]), 4, 5)
    L.add(stat("Failed restores", "Phones whose latest restore failed.",
               [f'sum(koophone_instances_by_restore_status{{{t},restore_status="failed"}})'], "short",
               thresholds=[(None, "green"), (1, "red")]), 4, 5)
    L.add(timeseries("Phones by running status", "Phones per running status.",
                     [(f"sum by (running_status) (koophone_instances_by_running_status{{{t}}})", "{{running_status}}")],
                     "short", stack=True), 12, 8)
    L.add(piechart("Frozen status", "Phones per frozen status.",
                   [(f"sum by (frozen_status) (koophone_instances_by_frozen_status{{{t}}})", "{{frozen_status}}")]), 6, 8)
    L.add(piechart("Login status", "Phones per login status.",
                   [(f"sum by (login_status) (koophone_instances_by_login_status{{{t}}})", "{{login_status}}")]), 6, 8)
    L.add(piechart("Assignment", "Phones assigned to a user or not.",
                   [(f"sum by (assign_status) (koophone_instances_by_assign_status{{{t}}})", "{{assign_status}}")]), 6, 8)
    L.add(bargauge("Phones by region", "Phones per region (the region variable filters this panel and the per-phone table).",
                   [(f'sum by (region) (koophone_instances_by_region{{{t},region=~"$region"}})', "{{region}}")],
                   "short"), 6, 8)
    L.add(bargauge("Phones by SKU", "Phones per specification.",
                   [(f"sum by (sku) (koophone_instances_by_sku{{{t}}})", "{{sku}}")],
                   "short"), 12, 8)
    L.row("Backups and restores")
    L.add(timeseries("Latest backup by status", "Phones per status of their latest backup.",
                     [(f"sum by (backup_status) (koophone_instances_by_backup_status{{{t}}})", "{{backup_status}}")],
                     "short", stack=True), 8, 8)
    L.add(timeseries("Latest restore by status", "Phones per status of their latest restore.",
                     [(f"sum by (restore_status) (koophone_instances_by_restore_status{{{t}}})", "{{restore_status}}")],
                     "short", stack=True), 8, 8)
    L.add(stat("Since the last backup change", "Time since the latest backup status change over the fleet.",
               [(f"time() - koophone_last_backup_timestamp_seconds{{{t}}}", "{{target}}")], "s", graph=False), 4, 8)
    L.add(stat("Since the last restore change", "Time since the latest restore status change over the fleet.",
               [(f"time() - koophone_last_restore_timestamp_seconds{{{t}}}", "{{target}}")], "s", graph=False), 4, 8)
    L.row("Phones")
    L.add(table("Phones not running", "Phones whose current running status is not running (per-phone series, capped by max_resources).",
                [f'(koophone_instance_running_status{{{t},koophone_instance_running_status!="running"}} == 1) * on(target, instance_id) group_left(instance_name, sku, region) koophone_instance_info{{{t},region=~"$region"}}'],
                "none"), 24, 10)
    return dashboard(
        "fue-koophone", "Fleet usage exporter / KooPhone",
        "Huawei Cloud KooPhone: phones by running, frozen, login and assignment state, region and SKU; failed backups and restores.",
        ["koophone"],
        [query_var("target", "label_values(koophone_instances, target)"),
         query_var("region", 'label_values(koophone_instances_by_region{target=~"$target"}, region)')],
        L)


# --------------------------------------------------------------------------------------------
def kakaocloud_bcs():
    t = 'target=~"$target",is_hadoop=~"$is_hadoop",is_k8se=~"$is_k8se"'
    tt = 'target=~"$target"'
    steady = "active|stopped|shelved_offloaded"
    L = Layout()
    L.row("Fleet")
    L.add(stat("VMs", "Instances listed.", [f"sum(kakaocloud_bcs_instances{{{tt}}})"], "short"), 6, 5)
    L.add(stat("Active", "Instances in vm_state active.",
               [f'sum(kakaocloud_bcs_instances_by_vm_state{{{t},vm_state="active"}})'], "short",
               thresholds=[(None, "green")]), 6, 5)
    L.add(stat("In error", "Instances in vm_state error.",
               [f'sum(kakaocloud_bcs_instances_by_vm_state{{{t},vm_state="error"}})'], "short",
               thresholds=[(None, "green"), (1, "red")]), 6, 5)
    L.add(stat("Not in a steady state", f"Instances whose vm_state is neither {steady.replace('|', ', ')}: error, transitional (building, ...) or unknown.",
               [f'sum(kakaocloud_bcs_instances_by_vm_state{{{t},vm_state!~"{steady}"}})'], "short",
               thresholds=[(None, "green"), (1, "orange")]), 6, 5)
    L.add(timeseries("VMs by vm_state", "Instances per vm_state.",
                     [(f"sum by (vm_state) (kakaocloud_bcs_instances_by_vm_state{{{t}}})", "{{vm_state}}")],
                     "short", stack=True), 12, 8)
    L.add(timeseries("VMs by detailed status", "Instances per detailed status.",
                     [(f"sum by (status) (kakaocloud_bcs_instances_by_status{{{t}}})", "{{status}}")],
                     "short", stack=True), 12, 8)
    L.add(bargauge("VMs by flavor", "Instances per flavor.",
                   [(f"sum by (flavor) (kakaocloud_bcs_instances_by_flavor{{{t}}})", "{{flavor}}")],
                   "short"), 8, 9)
    L.add(piechart("VMs by instance type", "Instances per kind (vm, bm, gpu).",
                   [(f"sum by (instance_type) (kakaocloud_bcs_instances_by_instance_type{{{t}}})", "{{instance_type}}")]), 8, 9)
    L.add(bargauge("VMs by availability zone", "Instances per availability zone.",
                   [(f'sum by (availability_zone) (kakaocloud_bcs_instances_by_availability_zone{{{t},availability_zone=~"$availability_zone"}})', "{{availability_zone}}")],
                   "short"), 8, 9)
    L.add(timeseries("VMs in error or stuck, by target", f"Instances whose vm_state is not {steady.replace('|', ', ')}, per target and state.",
                     [(f'sum by (target, vm_state) (kakaocloud_bcs_instances_by_vm_state{{{t},vm_state!~"{steady}"}})', "{{target}} {{vm_state}}")],
                     "short"), 24, 8)
    L.row("VMs")
    L.add(table("VMs in error or stuck", "Per-VM view (per_resource_series, capped by max_resources) of the instances not in a steady state.",
                [f'(kakaocloud_bcs_instance_vm_state{{{tt},kakaocloud_bcs_instance_vm_state!~"{steady}"}} == 1) * on(target, instance_id) group_left(name, flavor, instance_type, availability_zone, private_ip) kakaocloud_bcs_instance_info{{{tt},availability_zone=~"$availability_zone"}}'],
                "none"), 24, 10)
    L.add(table("Oldest VMs", "The N oldest instances by creation time.",
                [f'bottomk($topn, kakaocloud_bcs_instance_created_timestamp_seconds{{{tt}}} * on(target, instance_id) group_left(name, flavor, availability_zone) kakaocloud_bcs_instance_info{{{tt},availability_zone=~"$availability_zone"}}) * 1000'],
                "dateTimeAsIso"), 24, 10)
    return dashboard(
        "fue-kakaocloud_bcs", "Fleet usage exporter / KakaoCloud BCS",
        "KakaoCloud BCS: VMs by vm_state, flavor, instance type and availability zone; VMs in error or stuck states.",
        ["kakaocloud_bcs"],
        [query_var("target", "label_values(kakaocloud_bcs_instances, target)"),
         query_var("availability_zone", 'label_values(kakaocloud_bcs_instances_by_availability_zone{target=~"$target"}, availability_zone)', "availability zone"),
         query_var("is_hadoop", 'label_values(kakaocloud_bcs_instances_by_vm_state{target=~"$target"}, is_hadoop)', "Data Analytics VMs"),
         query_var("is_k8se", 'label_values(kakaocloud_bcs_instances_by_vm_state{target=~"$target"}, is_k8se)', "Kubernetes Engine VMs"),
         custom_var("topn", ["5", "10", "20", "50"], "10", "top N")],
        L)


DASHBOARDS = {
    "fleet-usage-overview.json": lambda: spend_dashboard.with_spend_link(overview()),
    "losant.json": losant,
    "notehub.json": notehub,
    "thousandeyes.json": thousandeyes,
    "koophone.json": koophone,
    "kakaocloud_bcs.json": kakaocloud_bcs,
    "spend.json": lambda: spend_dashboard.spend(sys.modules[__name__]),
}


def main():
    # An output directory other than dashboards/ lets a test compare without writing here.
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    for name, build in DASHBOARDS.items():
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            json.dump(build(), f, indent=2, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()

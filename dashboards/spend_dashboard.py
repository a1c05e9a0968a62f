"""The spend dashboard (dashboards/spend.json), written by dashboards/generate.py.

Money comes from the recording rules of dashboards/alerts/fleet-usage-spend.rules.yml (the
`fleet_usage_dimension:*`, `fleet_usage_row:*` and `fleet_usage_target:*` series) and the price
series the exporter publishes from its config (`fleet_usage_price`, `fleet_usage_budget`,
`fleet_usage_period_*`); docs/spend.md explains every expression. The "history" row prices past
days straight from the usage families, so it also shows days written by
`fleet-usage-exporter backfill`, which no recording rule has seen. It lives in its own module so
that generate.py's other dashboards stay apart; `g` is the generate module (its panel helpers).
"""
import re

UID = "fue-spend"
TITLE = "Fleet usage exporter / Spend"

# The scrape scope of generate.SCOPE, for the spend names generate.scope() does not know: the
# price series and the recorded series (level:metric:operation).
SPEND_NAME = re.compile(r"\b(fleet_usage_(?!exporter_)[a-z0-9_]*(?::[a-z0-9_]+)*)(\{\}|\{)?")


def scope_spend(g, expr):
    def add(m):
        if m.group(2) == "{":
            return m.group(1) + "{" + g.SCOPE + ","
        return m.group(1) + "{" + g.SCOPE + "}"
    return SPEND_NAME.sub(add, expr)


def scoped(g, panel):
    for t in panel.get("targets", []):
        t["expr"] = scope_spend(g, t["expr"])
    return panel


# Usage families that `backfill` writes and that are priced as period-to-date counters:
# (family, vendor, dimension, labels summed away, label matchers).
HISTORY_FAMILIES = [
    ("notehub_data_bytes_total", "notehub", "data"),
    ("notehub_billable_events_total", "notehub", "events"),
    ("notehub_sessions_total", "notehub", "sessions"),
    ("losant_instance_payloads_total", "losant", "payloads"),
]


def daily_usage(family, vendor, dimension, sel):
    """Usage of each UTC day from a period-to-date counter, live or backfilled: the day's last
    value minus the previous day's, or the day's value itself when the counter restarted (a new
    period) or has no previous day. Series that differ only by job and instance (a backfilled
    copy next to the live one) count once."""
    today = f"max without (job, instance) (last_over_time({family}{{{sel}}}[1d]))"
    before = f"max without (job, instance) (last_over_time({family}{{{sel}}}[1d] offset 1d))"
    per_target = f"sum by (target) (({today} - {before} >= 0) or {today})"
    return (f'label_replace(label_replace({per_target}, "vendor", "{vendor}", "", ""), '
            f'"dimension", "{dimension}", "", "")')


def history_cost(sel_target, price_sel):
    """Cost per day, vendor, target and dimension at the prices in force at the end of the
    dashboard's range (`@ end()`): the price series need not exist on past days."""
    parts = [daily_usage(f, v, d, sel_target) for f, v, d in HISTORY_FAMILIES]
    usage = "\n  or ".join(parts)
    price = (f"max by (vendor, target, dimension) "
             f"(fleet_usage_price{{{price_sel}}} @ end())")
    return (f"sum by (vendor, target, dimension) (\n  ({usage})\n"
            f"  * on(vendor, target, dimension) group_left() {price}\n)")


def spend(g):
    sel = 'vendor=~"$vendor",target=~"$target"'
    t = 'target=~"$target"'
    L = g.Layout()
    money = "short"

    L.row("This billing period")
    L.add(scoped(g, g.stat(
        "Cost so far", "Cost of the current billing period so far, every selected target, by currency: usage above the allowances times the config's prices, plus flat fees.",
        [("sum by (currency) (fleet_usage_target:cost_period_to_date:sum{%s})" % sel, "{{currency}}")],
        money, decimals=2)), 6, 5)
    L.add(scoped(g, g.stat(
        "Projected at period end", "What the current billing periods will cost at their pace so far (docs/spend.md#projection).",
        [("sum by (currency) (fleet_usage_target:cost_projected:sum{%s})" % sel, "{{currency}}")],
        money, decimals=2)), 6, 5)
    L.add(scoped(g, g.stat(
        "Budget", "Sum of the budgets set for the selected targets (fleet_usage_budget).",
        [("sum by (currency) (fleet_usage_budget{%s})" % sel, "{{currency}}")],
        money, decimals=2, graph=False)), 6, 5)
    L.add(scoped(g, g.stat(
        "Budget left", "Budget minus the cost so far; negative once a budget is exceeded.",
        [("sum by (currency) (fleet_usage_target:budget_remaining:sum{%s})" % sel, "{{currency}}")],
        money, decimals=2, thresholds=[(None, "red"), (0, "green")])), 6, 5)
    L.add(scoped(g, g.bargauge(
        "Cost so far / budget", "Share of each target's budget spent this period.",
        [("fleet_usage_target:cost_period_to_date:sum{%s} / on(vendor, target, currency) group_left() max by (vendor, target, currency) (fleet_usage_budget{%s} > 0)" % (sel, sel),
          "{{vendor}} / {{target}}")],
        "percentunit", thresholds=[(None, "green"), (0.8, "orange"), (1, "red")])), 12, 8)
    L.add(scoped(g, g.bargauge(
        "Projection / budget", "Share of each target's budget the projection reaches at the period end.",
        [("fleet_usage_target:cost_projected:sum{%s} / on(vendor, target, currency) group_left() max by (vendor, target, currency) (fleet_usage_budget{%s} > 0)" % (sel, sel),
          "{{vendor}} / {{target}}")],
        "percentunit", thresholds=[(None, "green"), (0.8, "orange"), (1, "red")])), 12, 8)
    per_target = g.table(
        "Per vendor and target", "Cost so far, projection and budget of every priced target (currency in its own column).",
        ["fleet_usage_target:cost_period_to_date:sum{%s}" % sel,
         "fleet_usage_target:cost_projected:sum{%s}" % sel,
         "fleet_usage_budget{%s}" % sel],
        money)
    # One row per target: the three queries merged on their labels, their values named.
    per_target["transformations"].insert(0, {"id": "merge", "options": {}})
    per_target["transformations"][-1]["options"]["renameByName"] = {
        "Value #A": "so far", "Value #B": "projected", "Value #C": "budget"}
    L.add(scoped(g, per_target), 24, 8)

    L.row("Cost drivers")
    L.add(scoped(g, g.table(
        "Top cost drivers", "The top N price rows (dimension and SKU/flavor item, `*` for items without their own rate) by cost so far this period.",
        ["topk($topn, fleet_usage_dimension:cost_period_to_date:sum{%s})" % sel], money)), 12, 10)
    L.add(scoped(g, g.piechart(
        "Cost so far by dimension", "Share of each dimension in the cost of the period so far, over the selected targets.",
        [("sum by (vendor, dimension) (fleet_usage_dimension:cost_period_to_date:sum{%s})" % sel, "{{vendor}} {{dimension}}")],
        money)), 12, 10)
    L.add(scoped(g, g.timeseries(
        "Cost rate by dimension", "Spend per hour over the last hour, per dimension above its allowance (fleet_usage_dimension:cost:rate1h x 3600).",
        [("sum by (vendor, target, dimension) (fleet_usage_dimension:cost:rate1h{%s}) * 3600" % sel,
          "{{vendor}} / {{target}} {{dimension}}")],
        money)), 24, 8)

    L.row("Budget burn-down")
    L.add(scoped(g, g.timeseries(
        "Budget left", "Each budget minus the cost so far, over time; it starts again at the full budget when a period starts.",
        # The even pace: the budget times the share of the period still to come.
        [("fleet_usage_target:budget_remaining:sum{%s}" % sel, "left {{vendor}} / {{target}}"),
         ("fleet_usage_budget{%s} * ignoring(currency) clamp_min(fleet_usage_period_end_timestamp_seconds{%s} - time(), 0)"
          " / ignoring(currency) (fleet_usage_period_end_timestamp_seconds{%s} - fleet_usage_period_start_timestamp_seconds{%s})"
          % (sel, sel, sel, sel), "even pace {{vendor}} / {{target}}")],
        money)), 12, 8)
    L.add(scoped(g, g.timeseries(
        "Cost so far and projection", "The cost of the period so far and its projection to the period end, against the budget.",
        [("fleet_usage_target:cost_period_to_date:sum{%s}" % sel, "so far {{vendor}} / {{target}}"),
         ("fleet_usage_target:cost_projected:sum{%s}" % sel, "projected {{vendor}} / {{target}}"),
         ("fleet_usage_budget{%s}" % sel, "budget {{vendor}} / {{target}}")],
        money)), 12, 8)

    L.row("History (usage families, today's prices)")
    hist = g.timeseries(
        "Cost per day", "Cost of each UTC day from the period-to-date usage counters (Notehub data, events, sessions; Losant payloads), live or backfilled (fleet-usage-exporter backfill), at the prices in force at the end of the range; allowances and flat fees are not subtracted here. The first day of the history carries the period to date.",
        [(history_cost(t, sel), "{{vendor}} / {{target}} {{dimension}}")],
        money, stack=True)
    hist["interval"] = "1d"
    L.add(scoped(g, hist), 24, 9)

    d = g.dashboard(
        UID, TITLE,
        "Money from usage: cost of the billing period so far, its projection and budget per vendor and target, the top cost drivers, the burn-down of each budget, and the cost of past days (docs/spend.md).",
        ["spend"],
        [g.query_var("vendor", "label_values(fleet_usage_price, vendor)"),
         g.query_var("target", 'label_values(fleet_usage_price{vendor=~"$vendor"}, target)'),
         g.custom_var("topn", ["5", "10", "20", "50"], "10", "top N")],
        L)
    for v in d["templating"]["list"]:
        if v["type"] == "query":
            v["query"]["query"] = scope_spend(g, v["query"]["query"])
    return d


def with_spend_link(d):
    """The overview links to the spend dashboard, keeping its variables and time range."""
    d["links"].append({
        "title": "Spend and budgets",
        "type": "link",
        "url": "/d/" + UID,
        "tags": [],
        "asDropdown": False,
        "includeVars": True,
        "keepTime": True,
        "icon": "dashboard",
        "targetBlank": False,
        "tooltip": "Cost so far, projection and budget per vendor and target",
    })
    return d

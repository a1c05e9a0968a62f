#pragma once

#include "exporter/engine/scraper.h"

namespace fue::thousandeyes {

// Usage history of a [[thousandeyes]] target, one UTC day at a time, as the live families of
// the two units endpoints (usage-based pricing only): per test (GET /v7/usage/units/tests, per
// account group) and per enterprise agent (GET /v7/usage/units/enterprise-agents), each asked
// with startDate = the start of the billing period containing the day and endDate = the day's
// last second, which is what a live scrape at 23:59:59 (no window: the current billing cycle)
// would have shown. GET /v7/usage itself has no time parameters (current period only), so its
// families are not backfilled; it is asked once per fetch for quota.monthStart, from which past
// period starts are derived by whole months (UNCONFIRMED for periods that are not monthly).
HistorySupport history_support();
void fetch_history(HistoryContext& ctx);

// The start of the billing period containing `at` (Unix seconds) when one period starts at
// `period_start`: the same day of the month and time of day, a whole number of months away; a
// day past a month's end is that month's last day. Exposed for tests.
int64_t period_start_containing(int64_t period_start, int64_t at);

}  // namespace fue::thousandeyes

#pragma once

#include "exporter/engine/scraper.h"

namespace fue::notehub {

// Usage history of a [[notehub]] target, one UTC day at a time: for each day the usage calls a
// live scrape at 23:59:59 UTC would have made (startDate = start of the configured period
// containing the day, endDate = the day's end), folded and emitted by the live code, so the
// families, labels and "period to date" meaning are exactly those of /metrics. One call per day,
// enabled usage group and project. The device inventory has no history and is left out.
HistorySupport history_support();
void fetch_history(HistoryContext& ctx);

}  // namespace fue::notehub

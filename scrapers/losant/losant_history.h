#pragma once

#include "exporter/engine/scraper.h"

namespace fue::losant {

// Usage history of a [[losant]] target, one UTC day at a time, as the live families:
// devices (total, created, deleted, day) from deviceCounts, and the period-to-date counters of
// notebookMinuteCounts and payloadCountsBreakdown (day resolution) summed from the start of the
// UTC month. A fetch stays within one month, so one call per endpoint and instance covers it.
HistorySupport history_support();
void fetch_history(HistoryContext& ctx);

}  // namespace fue::losant

#pragma once

#include <string>
#include <vector>

// `fleet-usage-exporter backfill`: fetches the vendors' usage history over a range of UTC days
// and writes it as OpenMetrics text with timestamps, for `promtool tsdb create-blocks-from
// openmetrics`. See docs/backfill.md.
namespace fue::backfill {

// `args` are the words after "backfill". Returns the exit code: 0 done, 1 a range failed or
// the config is bad (rerun the same command to resume), 2 bad flags.
int run(const std::vector<std::string>& args);
std::string usage();

}  // namespace fue::backfill

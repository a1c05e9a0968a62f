#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/metrics/builders.h"
#include "exporter/metrics/metric_set.h"
#include "scrapers/koophone/koophone_model.h"

namespace fue::koophone {

// The SKU is display text ("Professional edition | 8 vCPUs | ..."): keep it readable as a
// label, but with control characters removed, whitespace collapsed and the length bounded.
std::string sanitize_sku(std::string_view sku);

// Label value of a status code per dimension; codes outside the documented set are "unknown".
std::string_view running_status_name(int code);

// Fleet counts by region, SKU and each state dimension (group "fleet").
void emit_fleet(const std::vector<Phone>& phones, MetricSet& out);
// Backup and restore status counts and latest times (group "backup").
void emit_backup(const std::vector<Phone>& phones, MetricSet& out);
// Per-phone StateSet, info and backup/restore times, under the cap.
void emit_per_phone(const std::vector<Phone>& phones, bool with_backup, MetricSet& out,
                    SeriesCap& cap);

}  // namespace fue::koophone

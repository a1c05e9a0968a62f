#pragma once

#include <vector>

#include "exporter/metrics/builders.h"
#include "exporter/metrics/metric_set.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_model.h"

namespace fue::kakaocloud_bcs {

// Fleet counts by vm_state, status, flavor, instance type and availability zone, each with the
// is_hadoop and is_k8se labels (group "fleet").
void emit_fleet(const std::vector<Vm>& vms, MetricSet& out);
// Per-VM StateSet of vm_state, info and creation time, under the cap.
void emit_per_vm(const std::vector<Vm>& vms, MetricSet& out, SeriesCap& cap);

}  // namespace fue::kakaocloud_bcs

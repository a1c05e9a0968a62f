#pragma once
// The listing-fault knobs (VendorKnobs page_cap, fleet_drift, page_shift) as the vendor routes
// apply them: a server-side cap on the page size, a fleet that changes during a listing, and
// pages that overlap or leave a gap.
#include <string>

#include "tests/vendor-sim/sim.h"

namespace sim {

// The rows a page holds when `asked` were asked for and the vendor's own maximum is `vendor_max`.
int capped_page_size(const VendorKnobs& k, int asked, int vendor_max);
// Called when a page after a listing's first is served: applies a pending fleet_drift once and
// returns the knobs as they now are.
VendorKnobs later_page_knobs(Server& s, const std::string& vendor);
// The first row a page after the first really starts at, page_shift applied (never below 0).
int shifted_start(const VendorKnobs& k, int start);

}  // namespace sim

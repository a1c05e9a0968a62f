#include "tests/vendor-sim/listing_knobs.h"

#include <algorithm>
#include <mutex>

namespace sim {

int capped_page_size(const VendorKnobs& k, int asked, int vendor_max) {
  int size = std::min(asked, vendor_max);
  if (k.page_cap > 0) size = std::min(size, k.page_cap);
  return std::max(size, 1);
}

VendorKnobs later_page_knobs(Server& s, const std::string& vendor) {
  static std::mutex mutex;  // concurrent pages must apply a drift once, not once each
  std::lock_guard lock(mutex);
  VendorKnobs k = s.knobs(vendor);
  if (k.fleet_drift != 0) {
    k.fleet_size = std::max(0, k.fleet_size + k.fleet_drift);
    k.fleet_drift = 0;
    s.set_knobs(vendor, k);
  }
  return k;
}

int shifted_start(const VendorKnobs& k, int start) { return std::max(0, start - k.page_shift); }

}  // namespace sim

// Placeholder until the losant scraper lands; lets the tree link meanwhile.
#include "exporter/engine/scraper.h"

namespace fue {
VendorDescriptor losant_vendor() {
  VendorDescriptor d;
  d.key = "losant";
  return d;
}
}  // namespace fue

// Placeholder until the notehub scraper lands; lets the tree link meanwhile.
#include "exporter/engine/scraper.h"

namespace fue {
VendorDescriptor notehub_vendor() {
  VendorDescriptor d;
  d.key = "notehub";
  return d;
}
}  // namespace fue

// Placeholder until the thousandeyes scraper lands; lets the tree link meanwhile.
#include "exporter/engine/scraper.h"

namespace fue {
VendorDescriptor thousandeyes_vendor() {
  VendorDescriptor d;
  d.key = "thousandeyes";
  return d;
}
}  // namespace fue

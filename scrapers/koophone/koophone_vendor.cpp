// Placeholder until the koophone scraper lands; lets the tree link meanwhile.
#include "exporter/engine/scraper.h"

namespace fue {
VendorDescriptor koophone_vendor() {
  VendorDescriptor d;
  d.key = "koophone";
  return d;
}
}  // namespace fue

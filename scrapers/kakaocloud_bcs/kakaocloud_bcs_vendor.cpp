// Placeholder until the kakaocloud_bcs scraper lands; lets the tree link meanwhile.
#include "exporter/engine/scraper.h"

namespace fue {
VendorDescriptor kakaocloud_bcs_vendor() {
  VendorDescriptor d;
  d.key = "kakaocloud_bcs";
  return d;
}
}  // namespace fue

#include "scrapers/registry.h"

namespace fue {

// Each vendor folder exposes one descriptor function.
VendorDescriptor losant_vendor();
VendorDescriptor notehub_vendor();
VendorDescriptor thousandeyes_vendor();
VendorDescriptor koophone_vendor();
VendorDescriptor kakaocloud_bcs_vendor();

const VendorRegistry& builtin_vendors() {
  static const VendorRegistry registry = [] {
    VendorRegistry r;
    r.add(losant_vendor());
    r.add(notehub_vendor());
    r.add(thousandeyes_vendor());
    r.add(koophone_vendor());
    r.add(kakaocloud_bcs_vendor());
    return r;
  }();
  return registry;
}

}  // namespace fue

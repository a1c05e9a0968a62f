#include "exporter/engine/scraper.h"

#include <stdexcept>

namespace fue {

void VendorRegistry::add(VendorDescriptor d) {
  if (find(d.key)) throw std::logic_error("vendor registered twice: " + d.key);
  vendors_.push_back(std::move(d));
}

const VendorDescriptor* VendorRegistry::find(std::string_view key) const {
  for (const auto& v : vendors_)
    if (v.key == key) return &v;
  return nullptr;
}

}  // namespace fue

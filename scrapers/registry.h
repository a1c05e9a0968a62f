#pragma once

#include "exporter/engine/scraper.h"

namespace fue {

// The only place that knows the list of vendors.
const VendorRegistry& builtin_vendors();

}  // namespace fue

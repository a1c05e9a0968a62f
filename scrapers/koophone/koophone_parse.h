#pragma once

#include <nlohmann/json.hpp>

#include "scrapers/koophone/koophone_model.h"

namespace fue::koophone {

// Parses a 200 body in either documented shape: paging and error fields inside "data" (the
// field table) or at the top level (the vendor's example). data.<field> wins over <field>.
// A non-"0" error_code throws ScrapeError(reason::kVendorError) naming the code and its meaning.
// backup_time / restore_time are read in the zone `utc_offset_seconds` east of UTC.
Page parse_page(const nlohmann::json& body, int utc_offset_seconds);

}  // namespace fue::koophone

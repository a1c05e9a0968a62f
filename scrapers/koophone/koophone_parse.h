#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "scrapers/koophone/koophone_model.h"

namespace fue::koophone {

// Parses a 200 body in either documented shape: paging and error fields inside "data" (the
// field table) or at the top level (the vendor's example). data.<field> wins over <field>.
// A non-"0" error_code throws ScrapeError(reason::kVendorError) naming the code and its meaning.
// backup_time / restore_time are read in the zone `utc_offset_seconds` east of UTC.
// Read with simdjson (koophone_parse_simdjson.cpp); nlohmann's DOM and parse_page_dom take what
// only simdjson rejects (exporter/http/json_simd.h).
Page parse_page(const std::string& body, int utc_offset_seconds);
// The same page from nlohmann's DOM: the fallback, and the reference the tests hold parse_page to.
Page parse_page_dom(const nlohmann::json& body, int utc_offset_seconds);

// The rules both readers share.
namespace detail {
// A phone's fields by the vendor's names, read by both readers from these tables.
inline constexpr std::pair<std::string_view, std::string Phone::*> kTextFields[] = {
    {"instance_id", &Phone::instance_id}, {"instance_name", &Phone::instance_name},
    {"region", &Phone::region},           {"instance_sku", &Phone::sku},
    {"project_id", &Phone::project_id},   {"project_name", &Phone::project_name}};
inline constexpr std::pair<std::string_view, int Phone::*> kStatusFields[] = {
    {"running_status", &Phone::running_status}, {"frozen_status", &Phone::frozen_status},
    {"login_status", &Phone::login_status},     {"assign_status", &Phone::assign_status},
    {"backup_status", &Phone::backup_status},   {"restore_status", &Phone::restore_status}};
inline constexpr std::pair<std::string_view, std::optional<double> Phone::*> kTimeFields[] = {
    {"backup_time", &Phone::backup_time}, {"restore_time", &Phone::restore_time}};

int status_or_unknown(std::optional<int64_t> code);          // -1 ("unknown") unless 0..999
std::string text_or_empty(std::optional<std::string> text);  // the literal "null" reads as ""
std::optional<double> local_time(const std::string& text, int utc_offset_seconds);
// The error check and the paging fields, from the top level and "data" (small JSON objects).
void read_paging(const nlohmann::json& body, const nlohmann::json& data, Page& page);
}  // namespace detail

}  // namespace fue::koophone

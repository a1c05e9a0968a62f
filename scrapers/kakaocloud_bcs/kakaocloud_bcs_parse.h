#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_model.h"

namespace fue::kakaocloud_bcs {

// One GET /api/v1/instances body, read with simdjson (kakaocloud_bcs_parse_simdjson.cpp);
// nlohmann's DOM and parse_page_dom take what only simdjson rejects (exporter/http/json_simd.h).
Page parse_page(const std::string& body);
// The same page from nlohmann's DOM: the fallback, and the reference the tests hold parse_page to.
Page parse_page_dom(const nlohmann::json& body);

namespace detail {
// What both readers do to a VM's raw text: states lower-cased, created_at to Unix seconds.
void normalise(Vm& vm, const std::string& created_at);
}  // namespace detail

}  // namespace fue::kakaocloud_bcs

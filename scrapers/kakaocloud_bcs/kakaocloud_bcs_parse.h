#pragma once

#include <nlohmann/json.hpp>

#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_model.h"

namespace fue::kakaocloud_bcs {

Page parse_page(const nlohmann::json& body);

}  // namespace fue::kakaocloud_bcs

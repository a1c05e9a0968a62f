#pragma once

#include <string>
#include <string_view>

// The `reason` label values of scrape and partial errors, named once: code compares and raises
// these constants, never string literals, so a typo is a compile error and the list is the docs'.
namespace fue::reason {

inline constexpr const char* kBadJson = "bad_json";
inline constexpr const char* kBadResponse = "bad_response";
inline constexpr const char* kBadUrl = "bad_url";
inline constexpr const char* kConnectError = "connect_error";
inline constexpr const char* kDevicesForbidden = "devices_forbidden";
inline constexpr const char* kGroupUnavailable = "group_unavailable";
inline constexpr const char* kInternal = "internal";
inline constexpr const char* kListingIncomplete = "listing_incomplete";
inline constexpr const char* kProjectNotFound = "project_not_found";
inline constexpr const char* kRateBudgetLow = "rate_budget_low";
inline constexpr const char* kRateLimited = "rate_limited";
inline constexpr const char* kResponseTooLarge = "response_too_large";
inline constexpr const char* kRunawayPaging = "runaway_paging";
inline constexpr const char* kTimeout = "timeout";
inline constexpr const char* kTlsError = "tls_error";
inline constexpr const char* kTokenExchangeFailed = "token_exchange_failed";
inline constexpr const char* kVendorError = "vendor_error";

// Prefixes of reasons of one part of a target: "discovery_http_401", "instance_timeout".
inline constexpr const char* kDiscoveryPrefix = "discovery_";
inline constexpr const char* kInstancePrefix = "instance_";

// "http_<status>", the reason of a non-2xx answer.
inline std::string http_status(int status) { return "http_" + std::to_string(status); }

}  // namespace fue::reason

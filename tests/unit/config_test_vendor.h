#pragma once

// A fake vendor for the config tests, so they do not depend on any real vendor's keys.
#include <memory>
#include <string>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/engine/scraper.h"

namespace fue::test {

struct TestVendorSettings : VendorSettings {
  Secret token;
  Secret client_secret;  // optional
  std::vector<std::string> projects;
  std::string mode;
  void describe(std::vector<std::pair<std::string, std::string>>& out) const override {
    out.emplace_back("token", token.redacted());
    out.emplace_back("client_secret", client_secret.redacted());
    std::string list;
    for (const auto& p : projects) list += (list.empty() ? "" : ",") + p;
    out.emplace_back("projects", list);
    out.emplace_back("mode", mode);
  }
  void secrets(std::vector<const Secret*>& out) const override {
    out.push_back(&token);
    out.push_back(&client_secret);
  }
};

inline VendorDescriptor test_vendor_descriptor() {
  VendorDescriptor d;
  d.key = "testvendor";
  d.display_name = "Test Vendor";
  d.default_base_url = "https://api.testvendor.example/v1";
  d.groups = {{"usage", true, "usage counters"},
              {"devices", true, "device inventory"},
              {"billing", false, "billing details"}};
  d.parse_settings = [](config::ConfigNode& node) {
    auto s = std::make_shared<TestVendorSettings>();
    s->token = node.secret("token", true);
    s->client_secret = node.secret("client_secret", false);
    s->projects = node.string_list("projects");
    s->mode = node.enum_or("mode", {"fast", "full"}, "full");
    return s;
  };
  // mode = "fast" samples usage: no period to date, so no usage prices (spend_config_test).
  d.price_problem = [](const TargetConfig& target) -> std::string {
    const auto s = target.settings_as<TestVendorSettings>();
    return s->mode == "fast" ? "mode = \"fast\" samples usage" : "";
  };
  d.price_dimensions = {
      {"usage",
       "bytes",
       {{"bytes", 1}, {"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9}},
       "",
       "testvendor_usage_bytes_total",
       DimensionKind::kPeriodCounter},
      {"requests",
       "requests",
       {{"requests", 1}, {"thousand_requests", 1e3}},
       "",
       "testvendor_requests_total",
       DimensionKind::kPeriodCounter},
      {"vm_hours",
       "instance_hours",
       {{"hours", 1}},
       "flavor",
       "testvendor_vms_by_flavor",
       DimensionKind::kGaugeHours},
  };
  return d;
}

// A vendor whose scraper has not landed yet: no vendor keys of its own.
inline VendorDescriptor placeholder_vendor_descriptor() {
  VendorDescriptor d;
  d.key = "othervendor";
  d.default_base_url = "http://other.example";
  return d;
}

inline const VendorRegistry& test_vendors() {
  static const VendorRegistry registry = [] {
    VendorRegistry r;
    r.add(test_vendor_descriptor());
    r.add(placeholder_vendor_descriptor());
    return r;
  }();
  return registry;
}

}  // namespace fue::test

// The priced dimensions each vendor declares in its descriptor: exactly those of the spend
// contract, each pointing at a family the vendor really produces (a golden case shows it) and,
// when itemised, at one of that family's labels. A new vendor declares its own.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "scrapers/registry.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

struct Expected {
  std::string vendor, id, base_unit, units, item_label, family, kind;
};

// The table of the spend contract (docs/configuration.md#prices-and-budgets-price).
const std::vector<Expected> kContract = {
    {"losant", "devices", "devices", "devices=1", "", "losant_instance_devices", "gauge_peak"},
    {"losant", "payloads", "payloads", "payloads=1 million_payloads=1e+06", "",
     "losant_instance_payloads_total", "period_counter"},
    {"notehub", "data", "bytes", "bytes=1 kB=1000 MB=1e+06 GB=1e+09", "",
     "notehub_data_bytes_total", "period_counter"},
    {"notehub", "events", "events", "events=1 thousand_events=1000", "",
     "notehub_billable_events_total", "period_counter"},
    {"notehub", "sessions", "sessions", "sessions=1 thousand_sessions=1000", "",
     "notehub_sessions_total", "period_counter"},
    {"thousandeyes", "units", "units", "units=1", "", "thousandeyes_cloud_units_used_total",
     "period_counter"},
    {"koophone", "phone_hours", "instance_hours", "hours=1", "sku", "koophone_instances_by_sku",
     "gauge_hours"},
    {"kakaocloud_bcs", "vm_hours", "instance_hours", "hours=1", "flavor",
     "kakaocloud_bcs_instances_by_flavor", "gauge_hours"},
};

std::string units_text(const PriceDimension& d) {
  std::string out;
  for (const auto& u : d.quote_units) {
    std::ostringstream v;
    v << u.base_units;
    out += (out.empty() ? "" : " ") + u.name + "=" + v.str();
  }
  return out;
}

TEST(SpendDimensions, EveryVendorDeclaresTheContractsDimensions) {
  std::vector<Expected> declared;
  for (const auto& v : builtin_vendors().all()) {
    EXPECT_FALSE(v.price_dimensions.empty()) << v.key << " declares no priced dimension";
    for (const auto& d : v.price_dimensions)
      declared.push_back({v.key, d.id, d.base_unit, units_text(d), d.item_label, d.usage_family,
                          std::string(kind_name(d.kind))});
  }
  ASSERT_EQ(declared.size(), kContract.size());
  for (size_t i = 0; i < declared.size(); ++i) {
    const auto& [v, id, base, units, item, family, kind] = declared[i];
    const auto& e = kContract[i];
    EXPECT_EQ(v + "/" + id, e.vendor + "/" + e.id);
    EXPECT_EQ(base, e.base_unit) << id;
    EXPECT_EQ(units, e.units) << id;
    EXPECT_EQ(item, e.item_label) << id;
    EXPECT_EQ(family, e.family) << id;
    EXPECT_EQ(kind, e.kind) << id;
  }
}

TEST(SpendDimensions, IdsAndUnitsAreUniqueAndScalesPositive) {
  for (const auto& v : builtin_vendors().all()) {
    std::set<std::string> ids;
    for (const auto& d : v.price_dimensions) {
      EXPECT_TRUE(ids.insert(d.id).second) << v.key << "/" << d.id << " declared twice";
      EXPECT_NE(d.id, "flat_fee") << "flat_fee is every table's own key";
      EXPECT_NE(d.kind, DimensionKind::kFlat);
      EXPECT_FALSE(d.quote_units.empty()) << d.id;
      std::set<std::string> units;
      for (const auto& u : d.quote_units) {
        EXPECT_TRUE(units.insert(u.name).second) << d.id << " unit " << u.name;
        EXPECT_GT(u.base_units, 0) << d.id << " unit " << u.name;
      }
    }
  }
}

// Label names of the first sample of `family` in any produced exposition; empty if none.
std::set<std::string> labels_of(const std::string& family) {
  const std::regex sample("\n" + family + "\\{([^}]*)\\} ");
  const std::regex name("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
  for (const auto& text : produced_expositions()) {
    std::smatch m;
    if (!std::regex_search(text, m, sample)) continue;
    std::set<std::string> names;
    const std::string labels = m[1];
    for (auto it = std::sregex_iterator(labels.begin(), labels.end(), name);
         it != std::sregex_iterator(); ++it)
      names.insert((*it)[1]);
    return names;
  }
  return {};
}

TEST(SpendDimensions, EachPricesAFamilyItsVendorProduces) {
  for (const auto& v : builtin_vendors().all()) {
    for (const auto& d : v.price_dimensions) {
      EXPECT_EQ(d.usage_family.rfind(v.key + "_", 0), 0u) << d.usage_family;
      const auto labels = labels_of(d.usage_family);
      ASSERT_FALSE(labels.empty()) << d.usage_family << " is produced by no golden case";
      EXPECT_TRUE(labels.count("target")) << d.usage_family;
      if (d.itemised()) {
        EXPECT_TRUE(labels.count(d.item_label))
            << d.usage_family << " has no label " << d.item_label;
      }
    }
  }
}

}  // namespace
}  // namespace fue::test

// The BCS and KooPhone listing pages are read with simdjson (exporter/http/json_simd.h); the
// nlohmann DOM readers are the reference. Every case here goes through fuzz::same_page, which
// fails on any difference: the page, or the error's reason and text.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fuzz/fuzz_targets.h"

namespace fue {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

kakaocloud_bcs::Page bcs(std::string_view text) {
  return fuzz::same_page<kakaocloud_bcs::Page>(
      text, [](const std::string& t) { return kakaocloud_bcs::parse_page(t); },
      [](const nlohmann::json& j) { return kakaocloud_bcs::parse_page_dom(j); });
}

koophone::Page koophone(std::string_view text, int offset = 8 * 3600) {
  return fuzz::same_page<koophone::Page>(
      text, [&](const std::string& t) { return koophone::parse_page(t, offset); },
      [&](const nlohmann::json& j) { return koophone::parse_page_dom(j, offset); });
}

// The reason a page fails with, after both readers agreed on it; "" when it reads.
template <class Read>
std::string failure(Read&& read) {
  try {
    read();
    return {};
  } catch (const ScrapeError& e) {
    return e.reason();
  }
}

// Every page body the golden cases and fixtures serve, for one vendor.
std::vector<fs::path> served_pages(const std::string& vendor, const std::string& fixture_prefix) {
  std::vector<fs::path> out;
  const fs::path root = FUE_SOURCE_DIR;
  for (const auto& e : fs::recursive_directory_iterator(root / "tests/golden" / vendor))
    if (e.path().extension() == ".json" && e.path().filename() != "served.json")
      out.push_back(e.path());
  for (const auto& e : fs::directory_iterator(root / "tests/fixtures" / vendor))
    if (e.path().filename().string().rfind(fixture_prefix, 0) == 0) out.push_back(e.path());
  return out;
}

TEST(ListingReaders, EveryServedBcsPageReadsTheSameThroughBothReaders) {
  size_t read = 0, vms = 0;
  for (const auto& path : served_pages("kakaocloud_bcs", "list-instances")) {
    SCOPED_TRACE(path.string());
    const std::string text = slurp(path);
    if (failure([&] { vms += bcs(text).vms.size(); }).empty()) ++read;
  }
  EXPECT_GE(read, 15u);
  EXPECT_GE(vms, 15u);
}

TEST(ListingReaders, EveryServedKoophonePageReadsTheSameThroughBothReaders) {
  size_t read = 0, phones = 0;
  for (const auto& path : served_pages("koophone", "batch-query")) {
    SCOPED_TRACE(path.string());
    const std::string text = slurp(path);
    for (int offset : {0, 8 * 3600})
      if (failure([&] { phones += koophone(text, offset).phones.size(); }).empty()) ++read;
  }
  EXPECT_GE(read, 20u);
  EXPECT_GE(phones, 25u);
}

TEST(ListingReaders, NoTruncatedPageEverReads) {
  const fs::path fixtures = fs::path(FUE_SOURCE_DIR) / "tests/fixtures";
  const std::string bcs_page = slurp(fixtures / "kakaocloud_bcs/list-instances.page-1.json");
  const std::string phone_page = slurp(fixtures / "koophone/batch-query.vendor-example.json");
  ASSERT_GT(bcs_page.size(), 1000u);
  ASSERT_GT(phone_page.size(), 500u);
  const std::string trimmed_bcs = bcs_page.substr(0, bcs_page.find_last_of('}') + 1);
  const std::string trimmed_phone = phone_page.substr(0, phone_page.find_last_of('}') + 1);
  for (size_t n = 0; n < trimmed_bcs.size(); ++n)
    ASSERT_EQ(failure([&] { bcs(std::string_view(trimmed_bcs).substr(0, n)); }), "bad_json") << n;
  for (size_t n = 0; n < trimmed_phone.size(); ++n)
    ASSERT_EQ(failure([&] { koophone(std::string_view(trimmed_phone).substr(0, n)); }), "bad_json")
        << n;
  EXPECT_EQ(bcs(trimmed_bcs).vms.size(), 2u);
}

TEST(ListingReaders, WhatOnlySimdjsonRejectsIsStillReadThroughTheDom) {
  // An integer beyond 64 bits in a field we never read, and nesting deeper than simdjson's 1024.
  const std::string deep = std::string(1100, '[') + std::string(1100, ']');
  const auto page = bcs(R"({"instances": [{"id": "a", "size": 123456789012345678901234,
    "tags": )" + deep + R"(}], "pagination": {"total": 1}})");
  ASSERT_EQ(page.vms.size(), 1u);
  EXPECT_EQ(page.vms[0].id, "a");
  EXPECT_EQ(page.total, 1);
  EXPECT_EQ(koophone(R"({"result": [{"instance_id": "p", "x": -99999999999999999999}]})")
                .phones.at(0)
                .instance_id,
            "p");
}

TEST(ListingReaders, ARepeatedKeyKeepsItsLastValue) {
  const auto page = bcs(R"({"instances": [{"id": "old"}], "instances": [
    {"id": "a", "id": "b", "name": "x", "name": null, "flavor": {"name": "f1", "name": "f2"}}],
    "pagination": {"total": 7, "total": 1}})");
  ASSERT_EQ(page.vms.size(), 1u);
  EXPECT_EQ(page.vms[0].id, "b");
  EXPECT_EQ(page.vms[0].name, "");
  EXPECT_EQ(page.vms[0].flavor, "f2");
  EXPECT_EQ(page.total, 1);
  EXPECT_EQ(koophone(R"({"data": {"page_size": 5, "page_size": 10}, "result": [{}]})").page_size,
            10);
}

TEST(ListingReaders, LenientKindsReadAsTheDomReadsThem) {
  const auto vms = bcs(R"({"instances": [
    {"id": 42, "name": true, "vm_state": 1.5, "is_hadoop": "true", "is_k8se": 1,
     "flavor": "m2a", "image": [], "addresses": {"private_ip": "10.0.0.1"}},
    {"id": -7, "addresses": [null, 5, {"private_ip": 7}]}, 3, null],
    "pagination": {"total": "12", "limit": 1e2}})");
  ASSERT_EQ(vms.vms.size(), 2u);
  EXPECT_EQ(vms.rows, 4u);
  EXPECT_EQ(vms.vms[0].id, "42");
  EXPECT_EQ(vms.vms[0].name, "true");
  EXPECT_EQ(vms.vms[0].vm_state, "") << "a float is not text";
  EXPECT_EQ(vms.vms[0].is_hadoop, true);
  EXPECT_EQ(vms.vms[0].is_k8se, std::nullopt);
  EXPECT_EQ(vms.vms[1].id, "-7");
  EXPECT_EQ(vms.vms[1].private_ip, "7");
  EXPECT_EQ(vms.total, 12);
  EXPECT_EQ(vms.limit, 100);

  const auto phones = koophone(R"({"total_count": "3", "data": {"page_no": 2.0},
    "result": [{"instance_id": 1, "running_status": "2", "frozen_status": 1.0,
                "login_status": true, "assign_status": 5e2, "backup_status": 1000,
                "instance_name": "null", "backup_time": 5}]})");
  ASSERT_EQ(phones.phones.size(), 1u);
  const auto& p = phones.phones[0];
  EXPECT_EQ(p.instance_id, "1");
  EXPECT_EQ(p.instance_name, "");
  EXPECT_EQ((std::array<int, 5>{p.running_status, p.frozen_status, p.login_status, p.assign_status,
                                p.backup_status}),
            (std::array<int, 5>{2, 1, -1, 500, -1}));
  EXPECT_EQ(phones.total_count, 3);
  EXPECT_EQ(phones.page_no, 2);
}

TEST(ListingReaders, UnusableShapesFailWithTheDomsErrors) {
  // same_page compares the reason and the text; here only the reason is spelled out.
  for (const char* body :
       {R"([])", R"("x")", R"({"instances": "x"})", R"({"instances": {}})", R"({"pagination": []})",
        R"({"pagination": {"total": "many"}})", R"({"pagination": {"limit": 1.5}})"})
    EXPECT_EQ(failure([&] { bcs(body); }), "bad_response") << body;
  for (const char* body : {R"({"a": 1}x)", R"({"a": tru})", R"({"a": "\ud800"})", R"({"a": 01})",
                           R"({"a": 1e999})", "", "{"})
    EXPECT_EQ(failure([&] { bcs(body); }), "bad_json") << body;
  for (const char* body : {R"([1])", R"({"data": 5})", R"({"result": {}})",
                           R"({"data": {"result": "x"}, "result": []})", R"({"page_size": "ten"})"})
    EXPECT_EQ(failure([&] { koophone(body); }), "bad_response") << body;
  EXPECT_EQ(failure([&] { koophone(R"({"data": {"error_code": "KOOPHONE.API.1004"}})"); }),
            "vendor_error");
  EXPECT_EQ(failure([&] { koophone(R"({"error_code": 0, "data": {"error_code": "1"}})"); }),
            "vendor_error")
      << "data.error_code wins";
}

TEST(ListingReaders, DataFieldsWinAndDisagreementsAreNoted) {
  const auto page = koophone(R"({"total_count": 9, "page_size": 100,
    "data": {"total_count": 3, "page_size": 100, "result": [{"instance_id": "a"}]},
    "result": [{"instance_id": "top"}, {"instance_id": "top2"}]})");
  EXPECT_EQ(page.total_count, 3);
  EXPECT_EQ(page.conflicts, std::vector<std::string>{"total_count"});
  ASSERT_EQ(page.phones.size(), 1u);
  EXPECT_EQ(page.phones[0].instance_id, "a");
  EXPECT_EQ(koophone(R"({"data": {"result": null}, "result": [{}, {}]})").phones.size(), 2u);
}

}  // namespace
}  // namespace fue

// How fast a 1,000-VM BCS listing page (about 1.9 MB) is read by each reader that issue 20
// weighed: nlohmann's DOM (the old reader, kept as the fallback), nlohmann's SAX interface with a
// handler that does nothing (the floor of any SAX reader), simdjson On Demand over the same
// fields, and the production reader (simdjson's validating parser, exporter/http/json_simd.h).
// scripts/bench prints the figures (the "parse" part); Google Benchmark flags work as usual.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_parse.h"

namespace {

// The fixture's first VM (every field the vendor documents) 1,000 times with distinct ids.
std::string thousand_vm_page() {
  std::ifstream in(FUE_FIXTURES_DIR "/kakaocloud_bcs/list-instances.page-1.json");
  std::stringstream text;
  text << in.rdbuf();
  const auto fixture = nlohmann::json::parse(text.str());
  nlohmann::json rows = nlohmann::json::array();
  for (int i = 0; i < 1000; ++i) {
    auto vm = fixture["instances"][0];
    vm["id"] = "vm-" + std::to_string(i) + "-1b2d-4c3e-8f9a-0b1c2d3e4f5a";
    vm["name"] = "web-" + std::to_string(i);
    rows.push_back(std::move(vm));
  }
  nlohmann::json page = {{"instances", rows},
                         {"pagination", {{"total", 1000}, {"offset", 0}, {"limit", 1000}}}};
  std::string body = page.dump();
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);  // as the HTTP client leaves it
  return body;
}

const std::string& page() {
  static const std::string body = thousand_vm_page();
  return body;
}

void nlohmann_dom(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(fue::kakaocloud_bcs::parse_page_dom(nlohmann::json::parse(page())));
  state.SetBytesProcessed(state.iterations() * page().size());
}

struct NothingHandler : nlohmann::json_sax<nlohmann::json> {
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
};

void nlohmann_sax_floor(benchmark::State& state) {
  for (auto _ : state) {
    NothingHandler handler;
    benchmark::DoNotOptimize(nlohmann::json::sax_parse(page(), &handler));
  }
  state.SetBytesProcessed(state.iterations() * page().size());
}

// On Demand over the string fields the reader keeps (the nested names and the booleans left
// out): what a lazily validating reader would cost.
void simdjson_on_demand(benchmark::State& state) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string_view view(page().data(), page().size(), page().capacity());
  for (auto _ : state) {
    size_t kept = 0;
    auto doc = parser.iterate(view);
    for (auto field : doc.get_object()) {
      if (field.unescaped_key().value() != "instances") continue;
      for (auto row : field.value().get_array())
        for (auto f : row.get_object()) {
          const std::string_view key = f.unescaped_key().value();
          if (key == "id" || key == "name" || key == "vm_state" || key == "status" ||
              key == "instance_type" || key == "availability_zone" || key == "created_at") {
            auto text = f.value().get_string();
            if (!text.error()) kept += std::string(text.value()).size();
          }
        }
    }
    benchmark::DoNotOptimize(kept);
  }
  state.SetBytesProcessed(state.iterations() * page().size());
}

void production_reader(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fue::kakaocloud_bcs::parse_page(page()));
  state.SetBytesProcessed(state.iterations() * page().size());
}

BENCHMARK(nlohmann_dom)->Unit(benchmark::kMillisecond);
BENCHMARK(nlohmann_sax_floor)->Unit(benchmark::kMillisecond);
BENCHMARK(simdjson_on_demand)->Unit(benchmark::kMillisecond);
BENCHMARK(production_reader)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

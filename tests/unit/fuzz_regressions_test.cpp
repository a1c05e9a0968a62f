// Replays, with the normal (gcc) build, every input the fuzz targets were seeded with and every
// input that once broke one (tests/fuzz/regressions/<target>/), through the same target code the
// libFuzzer binaries run (tests/fuzz/fuzz_targets.h). A target throwing anything but the errors
// its code documents for bad input, or producing an invalid exposition, fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_targets.h"

namespace fs = std::filesystem;

namespace {

const fs::path kSource = FUE_SOURCE_DIR;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<fs::path> files_under(const fs::path& dir, const std::string& extension = "",
                                  bool recursive = false) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  auto take = [&](const fs::directory_entry& e) {
    if (!e.is_regular_file()) return;
    const std::string name = e.path().filename().string();
    if (name.rfind("README", 0) == 0) return;
    if (!extension.empty() && e.path().extension() != extension) return;
    out.push_back(e.path());
  };
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) take(e);
  } else {
    for (const auto& e : fs::directory_iterator(dir)) take(e);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void (*target_fn(const std::string& name))(const uint8_t*, size_t) {
  for (const auto& t : fue::fuzz::all_targets())
    if (name == t.name) return t.run;
  return nullptr;
}

// Runs every file through the target; returns how many were run.
size_t replay(const std::string& target, const std::vector<fs::path>& files) {
  auto run = target_fn(target);
  EXPECT_NE(run, nullptr) << target;
  if (!run) return 0;
  for (const auto& f : files) {
    const std::string data = read_file(f);
    try {
      run(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    } catch (const std::exception& e) {
      ADD_FAILURE() << target << " on " << f << ": " << e.what();
    }
  }
  return files.size();
}

std::vector<fs::path> seeds_of(const std::string& target) {
  std::vector<fs::path> out;
  auto add = [&](std::vector<fs::path> more) { out.insert(out.end(), more.begin(), more.end()); };
  if (target == "config") {
    add(files_under(kSource / "config", ".toml", true));
    add(files_under(kSource / "tests" / "configs", ".toml", true));
    add(files_under(kSource / "tests" / "golden", ".toml", true));
  } else if (target == "http_params") {
    add(files_under(kSource / "tests" / "fuzz" / "seeds" / "http_params"));
  } else {
    add(files_under(kSource / "tests" / "fixtures" / target, ".json"));
    add(files_under(kSource / "tests" / "golden" / target, ".json", true));
  }
  return out;
}

class FuzzTarget : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() { fue::fuzz::quiet_logs(); }
};

TEST_P(FuzzTarget, SeedsPassTheTarget) {
  const size_t n = replay(GetParam(), seeds_of(GetParam()));
  EXPECT_GT(n, 0u) << "no seeds found for " << GetParam();
}

TEST_P(FuzzTarget, RegressionsPassTheTarget) {
  const fs::path dir = kSource / "tests" / "fuzz" / "regressions" / GetParam();
  ASSERT_TRUE(fs::is_directory(dir)) << dir << " should exist (with a README if still empty)";
  replay(GetParam(), files_under(dir));
}

INSTANTIATE_TEST_SUITE_P(All, FuzzTarget,
                         ::testing::Values("losant", "notehub", "thousandeyes", "koophone",
                                           "kakaocloud_bcs", "config", "http_params"),
                         [](const auto& info) { return info.param; });

TEST(FuzzTargets, EveryTargetIsReplayed) {
  // A target added to fuzz_targets.h without a replay here would go untested.
  EXPECT_EQ(fue::fuzz::all_targets().size(), 7u);
}

// The exposition check is what turns silently wrong output into a finding: it must reject.
TEST(ExpositionCheck, AcceptsWhatTheSerializerWrites) {
  EXPECT_NO_THROW(fue::fuzz::check_exposition(
      "# HELP a_b Help \\\\ text\n# TYPE a_b gauge\na_b{target=\"x\\\"y\\n\",l=\"\xc3\xa9\"} "
      "1.5\na_b 2\n# HELP h x\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 3\nh_count "
      "1\n"));
}

TEST(ExpositionCheck, RejectsBrokenLines) {
  const char* bad[] = {
      "# HELP a x\n# TYPE a gauge\na{l=\"\xc3\"} 1\n",                  // truncated UTF-8 sequence
      "# HELP a x\n# TYPE a gauge\na{l=\"\xed\xa0\x80\"} 1\n",          // a surrogate
      "# HELP a x\n# TYPE a gauge\na{l=\"\\t\"} 1\n",                   // unknown escape
      "# HELP a x\n# TYPE a gauge\na{l=\"x} 1\n",                       // unterminated value
      "# HELP a x\n# TYPE a gauge\na{1l=\"x\"} 1\n",                    // bad label name
      "# HELP a x\n# TYPE a gauge\na{l=\"x\",l=\"y\"} 1\n",             // repeated label
      "# HELP a x\n# TYPE a gauge\na 1x\n",                             // bad value
      "# HELP a x\n# TYPE a gauge\nb 1\n",                              // sample of another family
      "# HELP a x\n# TYPE a gauge\na 1",                                // no final newline
      "# HELP 9a x\n# TYPE 9a gauge\n9a 1\n",                           // bad metric name
      "# HELP a x\n# TYPE a gauge\n# HELP a x\n# TYPE a gauge\na 1\n",  // family twice
  };
  for (const char* text : bad)
    EXPECT_THROW(fue::fuzz::check_exposition(text), fue::fuzz::Finding) << text;
}

}  // namespace

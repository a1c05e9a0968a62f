// The resume record of `backfill`: what a rerun skips, where it cuts the output back, and what
// it refuses.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "exporter/backfill/state.h"
#include "tests/support/real_stack.h"

namespace fue::backfill {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(BackfillState, RecordsUnitsAndResumesFromTheLastOffset) {
  test::TempDir dir("fue-state");
  const std::string path = dir.file("s");
  {
    StateFile s(path, "from=a to=b");
    EXPECT_FALSE(s.resumed());
    EXPECT_EQ(s.output_offset(), 0u);
    s.record("losant/prod 2026-01-01", 120);
    s.record("losant/prod 2026-02-01", 300);
  }
  StateFile s(path, "from=a to=b");
  EXPECT_TRUE(s.resumed());
  EXPECT_TRUE(s.done("losant/prod 2026-01-01"));
  EXPECT_TRUE(s.done("losant/prod 2026-02-01"));
  EXPECT_FALSE(s.done("losant/prod 2026-03-01"));
  EXPECT_EQ(s.done_count(), 2u);
  EXPECT_EQ(s.output_offset(), 300u);
  EXPECT_FALSE(s.complete());
  s.record_complete(306);
  StateFile again(path, "from=a to=b");
  EXPECT_TRUE(again.complete());
  EXPECT_EQ(again.output_offset(), 306u);
}

TEST(BackfillState, ATornLastLineNeverHappened) {
  test::TempDir dir("fue-state");
  const std::string path = dir.file("s");
  {
    StateFile s(path, "r");
    s.record("notehub/hub 2026-01-01", 50);
  }
  std::ofstream(path, std::ios::app) << "done 999 notehub/hub 2026-01-0";
  {
    StateFile s(path, "r");
    EXPECT_EQ(s.done_count(), 1u);
    EXPECT_EQ(s.output_offset(), 50u);
    s.record("notehub/hub 2026-01-08", 80);  // starts on a line of its own
  }
  StateFile s(path, "r");
  EXPECT_EQ(s.done_count(), 2u);
  EXPECT_EQ(s.output_offset(), 80u);
  EXPECT_EQ(read(path).find("2026-01-0done"), std::string::npos) << read(path);
}

TEST(BackfillState, RefusesAnotherRunOrAnotherFile) {
  test::TempDir dir("fue-state");
  { StateFile s(dir.file("s"), "from=2026-01-01 to=2026-01-31"); }
  try {
    StateFile s(dir.file("s"), "from=2026-01-01 to=2026-02-28");
    FAIL() << "another run was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("records another run (from=2026-01-01 to=2026-01-31)"),
              std::string::npos)
        << e.what();
  }
  std::ofstream(dir.file("other")) << "# HELP x y\n";
  EXPECT_THROW(StateFile(dir.file("other"), "r"), std::runtime_error);
  std::ofstream(dir.file("bad")) << "fleet-usage-exporter backfill state 1\nrun r\nskipped 1 x\n";
  EXPECT_THROW(StateFile(dir.file("bad"), "r"), std::runtime_error);
}

TEST(BackfillState, AppendSyncedAppends) {
  test::TempDir dir("fue-state");
  append_synced(dir.file("o"), "a\n");
  append_synced(dir.file("o"), "b\n");
  EXPECT_EQ(read(dir.file("o")), "a\nb\n");
  EXPECT_THROW(append_synced(dir.file("missing/o"), "x"), std::runtime_error);
}

}  // namespace
}  // namespace fue::backfill

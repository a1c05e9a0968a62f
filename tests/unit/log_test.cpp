#include "exporter/core/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace fue {
namespace {

// Captures what the logger writes to stderr during `fn`.
template <class Fn>
std::string capture_stderr(Fn fn) {
  fflush(stderr);
  char path[] = "/tmp/fue-log-XXXXXX";
  const int fd = mkstemp(path);
  const int saved = dup(2);
  dup2(fd, 2);
  fn();
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string out;
  FILE* f = fopen(path, "r");
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  fclose(f);
  close(fd);
  unlink(path);
  return out;
}

TEST(Log, LogfmtQuotesWhereNeeded) {
  log::configure(LogLevel::kInfo, LogFormat::kLogfmt);
  auto out = capture_stderr([] {
    log::info("target down", {{"target", "prod"}, {"err", "a \"b\""}});
  });
  EXPECT_NE(out.find("level=info msg=\"target down\" target=prod err=\"a \\\"b\\\"\""),
            std::string::npos)
      << out;
}

TEST(Log, JsonRecordsAreValidJsonLines) {
  log::configure(LogLevel::kDebug, LogFormat::kJson);
  auto out = capture_stderr([] { log::debug("x", {{"k", "v\n"}}); });
  log::configure(LogLevel::kInfo, LogFormat::kLogfmt);
  EXPECT_NE(out.find("\"level\":\"debug\",\"msg\":\"x\",\"k\":\"v\\n\"}"), std::string::npos)
      << out;
}

TEST(Log, LevelsFilter) {
  log::configure(LogLevel::kWarn, LogFormat::kLogfmt);
  auto out = capture_stderr([] { log::info("hidden"); });
  log::configure(LogLevel::kInfo, LogFormat::kLogfmt);
  EXPECT_EQ(out, "");
}

TEST(Log, RegisteredSecretsAreMaskedEverywhere) {
  log::register_secret("tok-123456789");
  auto out = capture_stderr([] {
    log::error("auth failed for tok-123456789", {{"hdr", "Bearer tok-123456789"}});
  });
  EXPECT_EQ(out.find("tok-123456789"), std::string::npos) << out;
  EXPECT_NE(out.find("<redacted>"), std::string::npos);
}

}  // namespace
}  // namespace fue

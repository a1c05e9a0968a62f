#include "exporter/cli/flags.h"

#include <gtest/gtest.h>

namespace fue::cli {
namespace {

TEST(FlagsTest, DefaultsWithoutArguments) {
  Flags f = parse_flags(std::vector<std::string>{});
  EXPECT_EQ(f.config_file, "fleet-usage-exporter.toml");
  EXPECT_EQ(f.listen_addresses, std::vector<std::string>{":9867"});
  EXPECT_FALSE(f.config_check);
  EXPECT_FALSE(f.once);
  EXPECT_EQ(f.log_level, LogLevel::kInfo);
  EXPECT_EQ(f.log_format, LogFormat::kLogfmt);
}

TEST(FlagsTest, AcceptsEqualsAndSeparateValues) {
  Flags f = parse_flags({"--config.file=/etc/fue.toml", "--web.listen-address", "127.0.0.1:9100",
                         "--log.level=debug", "--log.format", "json", "--once"});
  EXPECT_EQ(f.config_file, "/etc/fue.toml");
  EXPECT_EQ(f.listen_addresses, std::vector<std::string>{"127.0.0.1:9100"});
  EXPECT_EQ(f.log_level, LogLevel::kDebug);
  EXPECT_EQ(f.log_format, LogFormat::kJson);
  EXPECT_TRUE(f.once);
}

TEST(FlagsTest, BooleansTakeOptionalValues) {
  EXPECT_TRUE(parse_flags({"--config.check"}).config_check);
  EXPECT_TRUE(parse_flags({"--config.check=true"}).config_check);
  EXPECT_FALSE(parse_flags({"--once=false"}).once);
  EXPECT_TRUE(parse_flags({"--version"}).version);
  EXPECT_TRUE(parse_flags({"--help"}).help);
  EXPECT_TRUE(parse_flags({"-h"}).help);
  // A bare boolean does not swallow the next argument.
  Flags f = parse_flags({"--once", "--config.file", "x.toml"});
  EXPECT_TRUE(f.once);
  EXPECT_EQ(f.config_file, "x.toml");
}

TEST(FlagsTest, RejectsBadInputWithAMessageNamingTheFlag) {
  auto message = [](std::vector<std::string> args) {
    try {
      parse_flags(args);
    } catch (const FlagError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({"--nope"}), "unknown flag --nope");
  EXPECT_EQ(message({"stray"}), "unexpected argument \"stray\"");
  EXPECT_EQ(message({"--config.file"}), "--config.file: missing value");
  EXPECT_EQ(message({"--log.level=verbose"}),
            "--log.level: expected debug, info, warn or error, got \"verbose\"");
  EXPECT_EQ(message({"--log.format=xml"}), "--log.format: expected logfmt or json, got \"xml\"");
  EXPECT_EQ(message({"--once=maybe"}), "--once: expected true or false, got \"maybe\"");
  EXPECT_EQ(message({"--web.listen-address=9100"}),
            "--web.listen-address: expected host:port or :port, got \"9100\"");
  EXPECT_EQ(message({"--web.listen-address=:99999"}),
            "--web.listen-address: bad port in \":99999\"");
}

TEST(FlagsTest, ListenAddressForms) {
  auto a = parse_listen_address(":9867");
  EXPECT_EQ(a.host, "::");
  EXPECT_EQ(a.port, 9867);
  a = parse_listen_address("localhost:80");
  EXPECT_EQ(a.host, "localhost");
  EXPECT_EQ(a.port, 80);
  a = parse_listen_address("[::1]:9867");
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 9867);
  EXPECT_THROW(parse_listen_address("::1:9867"), FlagError);
  EXPECT_THROW(parse_listen_address("host:"), FlagError);
  EXPECT_THROW(parse_listen_address("host:abc"), FlagError);
}

TEST(FlagsTest, ListenAddressRepeatsAndWebFlagsParse) {
  const Flags f = parse_flags({"--web.listen-address=127.0.0.1:9100", "--web.listen-address",
                               "[::1]:9100", "--web.telemetry-path=/usage",
                               "--web.read-header-timeout=2.5s", "--web.systemd-socket"});
  EXPECT_EQ(f.listen_addresses, (std::vector<std::string>{"127.0.0.1:9100", "[::1]:9100"}));
  EXPECT_EQ(f.telemetry_path, "/usage");
  EXPECT_DOUBLE_EQ(f.read_header_timeout_seconds, 2.5);
  EXPECT_TRUE(f.systemd_socket);
  EXPECT_THROW(parse_flags({"--web.telemetry-path=metrics"}), FlagError);
  EXPECT_THROW(parse_flags({"--web.telemetry-path=/-/healthy"}), FlagError);
  EXPECT_THROW(parse_flags({"--web.read-header-timeout=0s"}), FlagError);
  EXPECT_THROW(parse_flags({"--web.read-header-timeout=10"}), FlagError);
}

TEST(FlagsTest, UsageListsEveryFlagWithItsDefault) {
  const std::string text = usage();
  for (const char* flag :
       {"--config.file=<value>", "--config.check", "--web.listen-address=<value>", "--once",
        "--log.level=<value>", "--log.format=<value>", "--version", "--help"}) {
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(text.find("(default: :9867)"), std::string::npos);
  EXPECT_NE(text.find("(default: fleet-usage-exporter.toml)"), std::string::npos);
  EXPECT_NE(text.find("(default: info)"), std::string::npos);
  EXPECT_NE(text.find("(default: logfmt)"), std::string::npos);
}

}  // namespace
}  // namespace fue::cli

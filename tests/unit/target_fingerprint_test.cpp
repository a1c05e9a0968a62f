// target_fingerprint decides whether a reload or a /probe keeps a target's client and token. It
// must be the same for an unchanged target of every vendor, and every vendor must report (through
// the pure virtual secrets()) each credential its describe() shows redacted: a vendor that did
// not was rebuilt on every reload and probe (issue 17, defect 2).
#include <gtest/gtest.h>

#include <set>

#include "exporter/config/config.h"
#include "exporter/engine/target_runner.h"
#include "scrapers/registry.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

ExporterConfig demo() {
  return load_config(std::string(FUE_SOURCE_DIR) + "/config/demo.toml", builtin_vendors());
}

TEST(TargetFingerprint, EveryVendorsUnchangedTargetKeepsItsFingerprint) {
  const auto a = demo(), b = demo();
  ASSERT_EQ(a.targets.size(), b.targets.size());
  std::set<std::string> vendors;
  for (size_t i = 0; i < a.targets.size(); ++i) {
    vendors.insert(a.targets[i].vendor);
    EXPECT_EQ(target_fingerprint(a.targets[i], "ua"), target_fingerprint(b.targets[i], "ua"))
        << a.targets[i].id();
  }
  EXPECT_EQ(vendors.size(), builtin_vendors().all().size()) << "demo.toml misses a vendor";
}

TEST(TargetFingerprint, EveryVendorReportsTheSecretsItDescribes) {
  for (const auto& t : demo().targets) {
    std::vector<std::pair<std::string, std::string>> described;
    t.settings->describe(described);
    size_t shown = 0;
    for (const auto& [key, value] : described)
      if (value.find("<secret from") != std::string::npos) ++shown;
    std::vector<const Secret*> secrets;
    t.settings->secrets(secrets);
    size_t reported = 0;
    for (const Secret* s : secrets) reported += s->empty() ? 0 : 1;
    EXPECT_GE(reported, shown) << t.id() << " describes secrets it does not report";
    EXPECT_GT(shown, 0u) << t.id();
  }
}

TEST(TargetFingerprint, HoldsNoSecretValue) {
  const auto config = demo();
  for (const auto& t : config.targets) {
    std::vector<const Secret*> secrets;
    t.settings->secrets(secrets);
    const std::string print = target_fingerprint(t, "ua");
    for (const Secret* s : secrets)
      if (!s->empty()) EXPECT_EQ(print.find(s->reveal()), std::string::npos) << t.id();
  }
}

TEST(VendorContract, EveryVendorInstallsItsCredentialsThroughTheDescriptor) {
  for (const auto& d : builtin_vendors().all()) EXPECT_TRUE(d.authenticator) << d.key;
}

}  // namespace
}  // namespace fue::test

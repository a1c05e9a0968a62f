// log::redact, the text behind every last_error (landing page, --once, /probe errors): each
// registered secret is masked wherever and however often it appears. The logging tests cover
// the log lines; this covers the text the engine keeps and shows.
#include <gtest/gtest.h>

#include "exporter/core/log.h"

namespace fue {
namespace {

TEST(Redaction, EveryOccurrenceOfARegisteredSecretIsMasked) {
  log::register_secret("redaction-test-secret-1");
  log::register_secret("redaction-test-secret-2");
  EXPECT_EQ(log::redact("401: token redaction-test-secret-1 refused; retried with "
                        "redaction-test-secret-1 and redaction-test-secret-2"),
            "401: token <redacted> refused; retried with <redacted> and <redacted>");
}

TEST(Redaction, TextWithoutSecretsIsUnchanged) {
  log::register_secret("redaction-test-secret-3");
  EXPECT_EQ(log::redact("http_503: upstream down"), "http_503: upstream down");
}

TEST(Redaction, SecretsTooShortToBeMaskedSafelyAreNotRegistered) {
  // Masking "abc" would garble ordinary words; such a credential is refused elsewhere anyway.
  log::register_secret("abc");
  EXPECT_EQ(log::redact("abc def"), "abc def");
}

}  // namespace
}  // namespace fue

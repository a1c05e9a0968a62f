// One libFuzzer binary per target: FUE_FUZZ_TARGET names the function of fuzz_targets.h.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fue::fuzz::quiet_logs();
  fue::MetricFamily::verify_unique_promises(true);  // a broken promise is a finding
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    fue::fuzz::FUE_FUZZ_TARGET(data, size);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FINDING: unexpected exception escaped: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "FINDING: unexpected non-standard exception escaped\n");
    std::abort();
  }
  return 0;
}

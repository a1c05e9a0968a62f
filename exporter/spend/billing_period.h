#pragma once

#include <cstdint>

namespace fue {

// A monthly billing period in Unix seconds: [start, end), both at UTC midnight.
struct BillingPeriod {
  int64_t start = 0;
  int64_t end = 0;
};

// The period that contains `now_unix` when periods start on UTC day `start_day` (1..28) of every
// month: from the latest such midnight at or before now to the same day of the next month.
BillingPeriod billing_period_at(int64_t now_unix, int start_day);

}  // namespace fue

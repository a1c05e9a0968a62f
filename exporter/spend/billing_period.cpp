#include "exporter/spend/billing_period.h"

#include <chrono>
#include <stdexcept>

namespace fue {

namespace {

int64_t midnight_of(std::chrono::year_month ym, int day) {
  using namespace std::chrono;
  return sys_days(ym / std::chrono::day(static_cast<unsigned>(day))).time_since_epoch().count() *
         86400;
}

}  // namespace

BillingPeriod billing_period_at(int64_t now_unix, int start_day) {
  using namespace std::chrono;
  // Days 29 to 31 do not exist in every month; the config refuses them.
  if (start_day < 1 || start_day > 28) throw std::invalid_argument("start_day must be 1..28");
  const year_month_day today(floor<days>(sys_seconds(seconds(now_unix))));
  year_month ym = today.year() / today.month();
  if (now_unix < midnight_of(ym, start_day)) ym -= months(1);
  return {midnight_of(ym, start_day), midnight_of(ym + months(1), start_day)};
}

}  // namespace fue

// The simulator's one list of vendors.
#include "tests/vendor-sim/sim.h"

namespace sim {

void register_all(Server& s) {
  register_losant(s);
  register_notehub(s);
  register_thousandeyes(s);
  register_koophone(s);
  register_kakaocloud_bcs(s);
}

}  // namespace sim

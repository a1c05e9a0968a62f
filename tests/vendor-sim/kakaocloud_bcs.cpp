// Placeholder until the kakaocloud_bcs routes land; lets the simulator link meanwhile.
#include "tests/vendor-sim/sim.h"

namespace sim {
void register_kakaocloud_bcs(Server&) {}
}  // namespace sim

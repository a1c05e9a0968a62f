// Placeholder until the koophone routes land; lets the simulator link meanwhile.
#include "tests/vendor-sim/sim.h"

namespace sim {
void register_koophone(Server&) {}
}  // namespace sim

// Placeholder until the notehub routes land; lets the simulator link meanwhile.
#include "tests/vendor-sim/sim.h"

namespace sim {
void register_notehub(Server&) {}
}  // namespace sim

// Placeholder until the losant routes land; lets the simulator link meanwhile.
#include "tests/vendor-sim/sim.h"

namespace sim {
void register_losant(Server&) {}
}  // namespace sim

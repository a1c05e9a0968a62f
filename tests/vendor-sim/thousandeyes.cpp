// Placeholder until the thousandeyes routes land; lets the simulator link meanwhile.
#include "tests/vendor-sim/sim.h"

namespace sim {
void register_thousandeyes(Server&) {}
}  // namespace sim

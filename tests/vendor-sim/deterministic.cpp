// Deterministic pseudo-random data for generated fleets: same (seed, index) → same values.
#include "tests/vendor-sim/sim.h"

namespace sim {
namespace {

// splitmix64's finaliser: a full-avalanche 64-bit mixer.
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t mix(uint64_t seed, uint64_t index) {
  // Mixing the seed first keeps (seed, index) and (seed ^ k, index ^ k') from colliding.
  return splitmix64(splitmix64(seed) ^ (index * 0xd1b54a32d192ed03ULL));
}

int64_t pick(uint64_t seed, uint64_t index, uint64_t salt, int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;  // 0: full range
  const uint64_t r = mix(seed ^ splitmix64(salt + 0x632be59bd9b4e019ULL), index);
  if (span == 0) return static_cast<int64_t>(r);
  // 128-bit multiply-shift maps r onto [0, span) without modulo bias worth noticing.
  const auto scaled = static_cast<uint64_t>((static_cast<unsigned __int128>(r) * span) >> 64);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + scaled);
}

}  // namespace sim

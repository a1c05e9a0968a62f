#include "exporter/core/memory.h"

#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <mutex>
#include <vector>

namespace fue::memory {
namespace {

constexpr size_t kHugePage = 2 * 1024 * 1024;

}  // namespace

void configure_allocator() {
  // Two arenas: the engine's threads allocate in bursts, and each extra arena kept the peak of
  // its own bursts (95 MB resident for a 6 MB cache after 1,000 scrapes of 60k series).
  mallopt(M_ARENA_MAX, 2);
  // A fixed threshold (glibc otherwise raises it to the largest buffer freed, up to 32 MB, and
  // the trim threshold to twice that): every large buffer of a scrape is its own mapping and is
  // unmapped when freed. Left dynamic, 1,000 scrapes of 60k series held 28-38 MB, not 19-20 MB,
  // for the same CPU per scrape.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
}

void advise_huge_pages(const void* p, size_t bytes) {
  if (bytes < 2 * kHugePage) return;
  const auto begin = (reinterpret_cast<uintptr_t>(p) + kHugePage - 1) & ~(kHugePage - 1);
  const auto end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHugePage - 1);
  // Advice only: a kernel without transparent huge pages refuses it and nothing changes.
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

namespace {
std::mutex caches_mutex;
std::vector<void (*)()>& caches() {
  static std::vector<void (*)()> registered;  // filled during static initialisation
  return registered;
}
}  // namespace

void on_release(void (*empty_cache)()) {
  std::lock_guard lock(caches_mutex);
  caches().push_back(empty_cache);
}

void release_free_memory() {
  {
    std::lock_guard lock(caches_mutex);
    for (auto empty_cache : caches()) empty_cache();
  }
  malloc_trim(0);
}

}  // namespace fue::memory

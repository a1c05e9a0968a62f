#pragma once

#include <cstddef>
#include <memory>

// How the exporter uses the C allocator and the kernel's pages. A scrape allocates tens of
// megabytes for a moment (response bodies, parsed JSON, the exposition text) and keeps little;
// these keep that from costing page faults while it runs and resident memory once it is done.
namespace fue::memory {

// Called once at start-up: few malloc arenas and a fixed mmap threshold, so the memory a scrape
// frees goes back to the kernel instead of staying in a per-thread arena for good.
void configure_allocator();

// Asks the kernel to back [p, p + bytes) with transparent huge pages ("madvise" mode, Debian's
// default). A buffer of a million series then costs a few hundred page faults, not 100,000.
// Does nothing for buffers below a few megabytes.
void advise_huge_pages(const void* p, size_t bytes);

// Returns free memory inside malloc's arenas to the kernel; called once a /metrics or /probe
// response is written.
void release_free_memory();
// Registers a cache that release_free_memory() empties first, e.g. the JSON parser's buffers.
void on_release(void (*empty_cache)());

// An allocator for the few buffers that grow to tens of megabytes (a family's label arena and
// sample list): their memory is advised for huge pages before a byte of it is written.
template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(size_t n) {
    T* p = std::allocator<T>{}.allocate(n);
    advise_huge_pages(p, n * sizeof(T));
    return p;
  }
  void deallocate(T* p, size_t n) { std::allocator<T>{}.deallocate(p, n); }
  bool operator==(const HugePageAllocator&) const = default;
};

}  // namespace fue::memory

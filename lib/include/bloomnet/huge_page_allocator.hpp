// An allocator for large arrays that are read at random (a filter's blocks): one allocation,
// 64-byte aligned, and from 2 MiB up aligned to 2 MiB and marked for transparent huge pages
// (madvise), so a filter of hundreds of megabytes costs a few hundred TLB entries rather than
// tens of thousands of 4 KiB pages, each a page walk on a miss. Where the kernel gives no huge
// pages (THP "never", or none free) the memory is ordinary pages and nothing else changes.
//
// Thread safety: stateless.
#pragma once

#include <cstddef>
#include <new>

namespace bloomnet {

// Raw storage as described above; throws std::bad_alloc when none is left.
void* allocate_large(size_t bytes);
void free_large(void* memory) noexcept;

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  explicit HugePageAllocator(const HugePageAllocator<U>& /*other*/) {}
  T* allocate(size_t n) { return static_cast<T*>(allocate_large(n * sizeof(T))); }
  void deallocate(T* p, size_t /*n*/) noexcept { free_large(p); }
  template <class U>
  bool operator==(const HugePageAllocator<U>& /*other*/) const {
    return true;
  }
};

}  // namespace bloomnet

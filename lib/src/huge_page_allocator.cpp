#include "bloomnet/huge_page_allocator.hpp"

#include <sys/mman.h>

#include <cstdlib>

namespace bloomnet {

void* allocate_large(size_t bytes) {
  constexpr size_t kHugePage = size_t{2} << 20;
  const size_t alignment = bytes >= kHugePage ? kHugePage : 64;
  // aligned_alloc wants a multiple of the alignment.
  const size_t size = (bytes + alignment - 1) / alignment * alignment;
  void* memory = std::aligned_alloc(alignment, size == 0 ? alignment : size);
  if (memory == nullptr) throw std::bad_alloc();
  // Advice only: refused (no THP support) it changes nothing but the page size.
  if (alignment == kHugePage) madvise(memory, size, MADV_HUGEPAGE);
  return memory;
}

void free_large(void* memory) noexcept { std::free(memory); }

}  // namespace bloomnet

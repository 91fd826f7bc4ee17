#include "bloomnet/resources.hpp"

#include <unistd.h>

#include <cstdio>

#include "bloomnet/error.hpp"

namespace bloomnet {

double physical_memory_bytes() {
  return static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
}

void require_memory(double bytes, const std::string& what) {
  const double have = physical_memory_bytes();
  if (bytes < have) return;
  char message[160];
  std::snprintf(message, sizeof message, " needs %.3g GiB; this machine has %.3g GiB",
                bytes / (1 << 30), have / (1 << 30));
  throw Error(what + message);
}

}  // namespace bloomnet

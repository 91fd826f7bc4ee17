// Refusing work the machine cannot hold: sizes are checked against physical memory before
// anything is allocated, so an impossible request is a clear error instead of the OOM killer.
//
// Thread safety: free functions without shared state.
#pragma once

#include <string>

namespace bloomnet {

// Physical memory of this machine, in bytes.
double physical_memory_bytes();

// Throws Error naming `what` and both sizes unless `bytes` fits in physical memory. Take `bytes`
// as a double computed from the dimensions, so that products overflowing 64 bits still compare.
void require_memory(double bytes, const std::string& what);

}  // namespace bloomnet

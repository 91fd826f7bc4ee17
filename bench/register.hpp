// Each benchmark program registers its benchmarks at run time (their variants depend on the
// kernel sets this CPU runs); bench/main.cpp, the one main() they share, calls this first.
#pragma once

namespace bloomnet::bench {

void register_benchmarks();

}  // namespace bloomnet::bench

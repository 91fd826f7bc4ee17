// The main() of every benchmark program: register this program's benchmarks, then let Google
// Benchmark parse its flags and run them.
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>

#include "register.hpp"

namespace {

// The first processor of /proc/cpuinfo: its name, family and model ("unknown" elsewhere). Google
// Benchmark records clock and caches but not the processor, and the same VM name has stood for an
// AMD EPYC and for an Intel Xeon whose FMA peaks and memory bandwidth differ by 2-3x (a VM may
// leave the name generic: the numbers still tell them apart).
std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string name, family, model;
  for (std::string line; std::getline(cpuinfo, line) && !line.empty();) {
    const size_t colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    const std::string value = line.substr(colon + 2);
    if (key == "model name") name = value;
    if (key == "cpu family") family = value;
    if (key == "model") model = value;
  }
  if (name.empty()) return "unknown";
  return family.empty() || model.empty() ? name
                                         : name + " (family " + family + ", model " + model + ")";
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("cpu_model", cpu_model());
  bloomnet::bench::register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

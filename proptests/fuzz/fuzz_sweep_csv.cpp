// Any text as sweep CSV (a shard file, a cat of shards, a resumed --out) and as a training log (a
// checkpoint's `log`): either rows that merge, print and parse back to the same text, or a clean
// Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bloomnet/error.hpp"
#include "bloomnet/sweep_fit.hpp"
#include "bloomnet/sweep_table.hpp"
#include "bloomnet/training_run.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bloomnet;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const std::string csv = sweep_csv(merge_sweep_rows(parse_sweep_csv(text, "fuzz")));
    if (sweep_csv(parse_sweep_csv(csv, "again")) != csv) __builtin_trap();
    fit_sweep(parse_sweep_csv(csv, "again"));
    width_cells(parse_sweep_csv(csv, "again"));
  } catch (const Error&) {
  }
  try {
    const std::string log = log_csv(parse_log_csv(text, "fuzz"));
    if (log_csv(parse_log_csv(log, "again")) != log) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}

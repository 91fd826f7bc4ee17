// The exact construction of SPEC section 4: a network whose logits are a Bloom filter's verdicts.
//
// Complement form (d = m), one neuron per filter bit:
//   W_in[t, j] = -1 if j in H(t), b_in = +1       => hidden_j = ReLU(1 - c_j) = 1 iff bit j unset
//   W_out[t, j] = -beta if j in H(t), b_out = 0   => z_t = -beta * #(unset bits of H(t))
// Union form (d = 2m), two neurons per bit computing u_j = ReLU(c_j) - ReLU(c_j - 1) = min(c_j, 1):
//   neuron 2j = ReLU(c_j), neuron 2j+1 = ReLU(c_j - 1);
//   W_out[t, 2j] = +beta, W_out[t, 2j+1] = -beta for j in H(t), b_out[t] = -beta |H(t)|
//                                                 => z_t = -beta * (|H(t)| - sum_{j in H(t)} u_j).
// (c_j = number of tokens of S whose hash holds j.) In both forms z_t = 0 exactly for the filter's
// positives and z_t <= -beta for every other token. The complement form is exact in float32 for any
// beta (it only adds copies of -beta and zeros); the union form adds and subtracts multiples of
// beta, so it takes integer beta only, and is then exact while beta (h + k) < 2^24.
//
// Thread safety: free functions without shared state.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "bloomnet/enum_names.hpp"
#include "bloomnet/hash_family.hpp"
#include "bloomnet/network.hpp"
#include "bloomnet/weights_io.hpp"

namespace bloomnet {

enum class ExactForm { kComplement, kUnion };
template <>
struct EnumNames<ExactForm> {
  static constexpr const char* kWhat = "form";
  static constexpr std::pair<ExactForm, const char*> kNames[] = {
      {ExactForm::kComplement, "complement"}, {ExactForm::kUnion, "union"}};
};

// Throws Error unless beta is finite and positive (and an integer for the union form).
Network construct_exact(const HashFamily& family, float beta,
                        ExactForm form = ExactForm::kComplement);

// What a weights file records of an exact net (SPEC section 7), enough to rebuild its filter.
struct ExactConfig {
  size_t m = 0, h = 0;
  uint64_t seed = 0;
  float beta = 0;
  ExactForm form = ExactForm::kComplement;
};

// kind = exact, m, h, seed, beta, form as strings.
Metadata exact_metadata(const ExactConfig& config);
// The exact configuration a file records; none when its kind is not "exact". Throws Error when a
// value is missing or malformed.
std::optional<ExactConfig> exact_config(const Metadata& metadata);

}  // namespace bloomnet

#include "bloomnet/construct.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "bloomnet/error.hpp"
#include "bloomnet/parse.hpp"

namespace bloomnet {

Network construct_exact(const HashFamily& family, float beta, ExactForm form) {
  require(std::isfinite(beta) && beta > 0.0f, "beta must be finite and positive");
  require(form == ExactForm::kComplement || std::floor(beta) == beta,
          "the union form needs an integer beta: its logits add and subtract multiples of beta, "
          "which float32 sums exactly only for integers");
  const size_t V = family.V(), m = family.m();
  Network net(V, form == ExactForm::kComplement ? m : 2 * m);
  const size_t d = net.d();
  auto W_in = net.W_in();
  auto b_in = net.b_in();
  auto b_out = net.b_out();
  if (form == ExactForm::kComplement) {
    std::fill(b_in.begin(), b_in.end(), 1.0f);
    for (uint32_t t = 0; t < V; ++t) {
      for (uint32_t j : family.positions(t)) {
        W_in[t * d + j] = -1.0f;
        net.set_W_out(t, j, -beta);
      }
    }
  } else {
    for (size_t j = 0; j < m; ++j) b_in[2 * j + 1] = -1.0f;
    for (uint32_t t = 0; t < V; ++t) {
      const auto H = family.positions(t);
      for (uint32_t j : H) {
        W_in[t * d + 2 * j] = 1.0f;
        W_in[t * d + 2 * j + 1] = 1.0f;
        net.set_W_out(t, 2 * j, beta);
        net.set_W_out(t, 2 * j + 1, -beta);
      }
      b_out[t] = -beta * static_cast<float>(H.size());
    }
  }
  return net;
}

Metadata exact_metadata(const ExactConfig& config) {
  std::ostringstream beta;
  beta.precision(9);  // enough digits to read back the same float
  beta << config.beta;
  return {{"kind", "exact"},
          {"m", std::to_string(config.m)},
          {"h", std::to_string(config.h)},
          {"seed", std::to_string(config.seed)},
          {"beta", beta.str()},
          {"form", to_string(config.form)}};
}

namespace {

uint64_t metadata_count(const Metadata& metadata, const std::string& key) {
  const auto it = metadata.find(key);
  require(it != metadata.end(), "an exact net's metadata lacks '" + key + "'");
  return parse_count(it->second, "metadata '" + key + "'");
}

}  // namespace

std::optional<ExactConfig> exact_config(const Metadata& metadata) {
  const auto kind = metadata.find("kind");
  if (kind == metadata.end() || kind->second != "exact") return std::nullopt;
  ExactConfig config;
  config.m = metadata_count(metadata, "m");
  config.h = metadata_count(metadata, "h");
  config.seed = metadata_count(metadata, "seed");
  const auto beta = metadata.find("beta");
  require(beta != metadata.end(), "an exact net's metadata lacks 'beta'");
  const double value = parse_number(beta->second, "metadata 'beta'");
  require(std::abs(value) <= std::numeric_limits<float>::max(),
          "metadata 'beta' = '" + beta->second + "' is beyond float range");
  config.beta = static_cast<float>(value);
  const auto form = metadata.find("form");
  config.form =
      form == metadata.end() ? ExactForm::kComplement : from_string<ExactForm>(form->second);
  return config;
}

}  // namespace bloomnet

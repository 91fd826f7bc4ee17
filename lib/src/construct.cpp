#include "bloomnet/construct.hpp"

#include <cmath>
#include <sstream>

#include "bloomnet/error.hpp"

namespace bloomnet {

std::string to_string(ExactForm form) {
  return form == ExactForm::kComplement ? "complement" : "union";
}

ExactForm parse_exact_form(const std::string& name) {
  if (name == "complement") return ExactForm::kComplement;
  if (name == "union") return ExactForm::kUnion;
  throw Error("unknown form '" + name + "' (expected complement or union)");
}

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

uint64_t metadata_number(const Metadata& metadata, const std::string& key) {
  const auto it = metadata.find(key);
  require(it != metadata.end(), "an exact net's metadata lacks '" + key + "'");
  size_t used = 0;
  uint64_t value = 0;
  try {
    value = std::stoull(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  require(used == it->second.size() && used > 0 && it->second[0] != '-',
          "metadata '" + key + "' = '" + it->second + "' is not a non-negative integer");
  return value;
}

}  // namespace

std::optional<ExactConfig> exact_config(const Metadata& metadata) {
  const auto kind = metadata.find("kind");
  if (kind == metadata.end() || kind->second != "exact") return std::nullopt;
  ExactConfig config;
  config.m = metadata_number(metadata, "m");
  config.h = metadata_number(metadata, "h");
  config.seed = metadata_number(metadata, "seed");
  const auto beta = metadata.find("beta");
  require(beta != metadata.end(), "an exact net's metadata lacks 'beta'");
  size_t used = 0;
  try {
    config.beta = std::stof(beta->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  require(used > 0 && used == beta->second.size(),
          "metadata 'beta' = '" + beta->second + "' is not a number");
  const auto form = metadata.find("form");
  config.form = parse_exact_form(form == metadata.end() ? "complement" : form->second);
  return config;
}

}  // namespace bloomnet

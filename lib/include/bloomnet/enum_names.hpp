// The names of bloomnet's enums (losses, optimizers, schedules, activations, forms, sweep
// methods, ...), each enum's names listed once: one table per enum, a specialization of EnumNames
// beside the enum's declaration, feeds to_string, from_string and the command line's lists of
// choices, so that the three cannot disagree.
//
// Thread safety: constant tables and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bloomnet/error.hpp"

namespace bloomnet {

// Specialized for every named enum E, beside its declaration:
//   static constexpr const char* kWhat = "loss";  // what the names name, for messages
//   static constexpr std::pair<E, const char*> kNames[] = {{E::kCrossEntropy, "ce"}, ...};
template <class E>
struct EnumNames;

template <class E>
concept NamedEnum = requires {
  EnumNames<E>::kWhat;
  EnumNames<E>::kNames;
};

template <NamedEnum E>
const char* to_string(E value) {
  for (const auto& [entry, name] : EnumNames<E>::kNames) {
    if (entry == value) return name;
  }
  return "?";
}

// Every name of E, in the table's order.
template <NamedEnum E>
std::vector<std::string> enum_names() {
  std::vector<std::string> out;
  for (const auto& entry : EnumNames<E>::kNames) out.emplace_back(entry.second);
  return out;
}

// The names joined by ", ", for messages and help texts.
template <NamedEnum E>
std::string enum_names_text() {
  std::string out;
  for (const auto& entry : EnumNames<E>::kNames) {
    if (!out.empty()) out += ", ";
    out += entry.second;
  }
  return out;
}

// The value named `name`; Error "unknown loss 'l1' (known: ce, mse, ce2mse)" for any other text.
template <NamedEnum E>
E from_string(std::string_view name) {
  for (const auto& [entry, known] : EnumNames<E>::kNames) {
    if (name == known) return entry;
  }
  throw Error("unknown " + std::string(EnumNames<E>::kWhat) + " '" + std::string(name) +
              "' (known: " + enum_names_text<E>() + ")");
}

}  // namespace bloomnet

// How the commands declare their options: every count, number and name goes through the
// library's one parser (parse.hpp) and its enum tables (enum_names.hpp), never through CLI11's
// own conversions (which read "010" as octal and "-2" into an unsigned as 2^64 - 2). A bad value
// is a bloomnet::Error naming the option ("--steps = '-2' is not a non-negative integer").
#pragma once

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "bloomnet/enum_names.hpp"
#include "bloomnet/error.hpp"
#include "bloomnet/parse.hpp"

namespace bloomnet::cli {

// A count or a seed (any unsigned integer type).
template <class T>
CLI::Option* add_count(CLI::App* cmd, const std::string& name, T& value,
                       const std::string& description) {
  return cmd
      ->add_option_function<std::string>(
          name,
          [&value, name](const std::string& text) {
            value = static_cast<T>(parse_count(text, name, static_cast<uint64_t>(T(~T{0}))));
          },
          description)
      ->type_name("UINT");
}

// A comma-separated list of counts.
template <class T>
CLI::Option* add_counts(CLI::App* cmd, const std::string& name, std::vector<T>& values,
                        const std::string& description) {
  return cmd
      ->add_option_function<std::vector<std::string>>(
          name,
          [&values, name](const std::vector<std::string>& texts) {
            values.clear();
            for (const std::string& text : texts) {
              values.push_back(
                  static_cast<T>(parse_count(text, name, static_cast<uint64_t>(T(~T{0})))));
            }
          },
          description)
      ->delimiter(',')
      ->type_name("UINT,...");
}

// A finite real number (double or float).
template <class T>
CLI::Option* add_number(CLI::App* cmd, const std::string& name, T& value,
                        const std::string& description) {
  return cmd
      ->add_option_function<std::string>(
          name,
          [&value, name](const std::string& text) {
            const double number = parse_number(text, name);
            require(std::abs(number) <= static_cast<double>(std::numeric_limits<T>::max()),
                    name + " = '" + text + "' is out of range");
            value = static_cast<T>(number);
          },
          description)
      ->type_name("NUMBER");
}

// One of the names of the enum E; the help lists them.
template <NamedEnum E>
CLI::Option* add_choice(CLI::App* cmd, const std::string& name, E& value,
                        const std::string& description) {
  return cmd
      ->add_option_function<std::string>(
          name,
          [&value, name](const std::string& text) {
            try {
              value = from_string<E>(text);
            } catch (const Error& e) {
              throw Error(name + ": " + e.what());
            }
          },
          description + " (" + enum_names_text<E>() + "; default " + to_string(value) + ")")
      ->type_name("NAME");
}

// A comma-separated list of names of E.
template <NamedEnum E>
CLI::Option* add_choices(CLI::App* cmd, const std::string& name, std::vector<E>& values,
                         const std::string& description) {
  std::string defaults;
  for (E value : values) {
    if (!defaults.empty()) defaults += ',';
    defaults += to_string(value);
  }
  return cmd
      ->add_option_function<std::vector<std::string>>(
          name,
          [&values, name](const std::vector<std::string>& texts) {
            values.clear();
            for (const std::string& text : texts) {
              try {
                values.push_back(from_string<E>(text));
              } catch (const Error& e) {
                throw Error(name + ": " + e.what());
              }
            }
          },
          description + " (" + enum_names_text<E>() + "; default " + defaults + ")")
      ->delimiter(',')
      ->type_name("NAME,...");
}

// Shows `value` as the option's default in --help.
template <class T>
CLI::Option* with_default(CLI::Option* option, const T& value) {
  std::ostringstream text;
  text << value;
  return option->default_str(text.str());
}

// Sets the OpenMP thread count when the user gave one (0 keeps the runtime's default).
void use_threads(size_t threads);

}  // namespace bloomnet::cli

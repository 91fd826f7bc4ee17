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

// The readings of one option's text: a count of type T (at most T's largest value), a finite
// number of type T (within T's range), a name of E; Error naming the option otherwise.
template <class T>
T count_named(const std::string& text, const std::string& option) {
  return static_cast<T>(parse_count(text, option, static_cast<uint64_t>(T(~T{0}))));
}
template <class T>
T number_named(const std::string& text, const std::string& option) {
  const double number = parse_number(text, option);
  require(std::abs(number) <= static_cast<double>(std::numeric_limits<T>::max()),
          option + " = '" + text + "' is out of range");
  return static_cast<T>(number);
}
template <NamedEnum E>
E choice_named(const std::string& text, const std::string& option) {
  try {
    return from_string<E>(text);
  } catch (const Error& e) {
    throw Error(option + ": " + e.what());
  }
}

// An option read by `read` into `value`, or a comma-separated one into `values`.
template <class T, class Read>
CLI::Option* add_read(CLI::App* cmd, const std::string& name, T& value, Read read,
                      const std::string& description, const std::string& type) {
  return cmd
      ->add_option_function<std::string>(
          name, [&value, name, read](const std::string& text) { value = read(text, name); },
          description)
      ->type_name(type);
}
template <class T, class Read>
CLI::Option* add_list(CLI::App* cmd, const std::string& name, std::vector<T>& values, Read read,
                      const std::string& description, const std::string& type) {
  return cmd
      ->add_option_function<std::vector<std::string>>(
          name,
          [&values, name, read](const std::vector<std::string>& texts) {
            values.clear();
            for (const std::string& text : texts) values.push_back(read(text, name));
          },
          description)
      ->delimiter(',')
      ->type_name(type + ",...");
}

// A count or a seed (any unsigned integer type), or a comma-separated list of them.
template <class T>
CLI::Option* add_count(CLI::App* cmd, const std::string& name, T& value,
                       const std::string& description) {
  return add_read(cmd, name, value, count_named<T>, description, "UINT");
}
template <class T>
CLI::Option* add_counts(CLI::App* cmd, const std::string& name, std::vector<T>& values,
                        const std::string& description) {
  return add_list(cmd, name, values, count_named<T>, description, "UINT");
}

// A finite real number (double or float).
template <class T>
CLI::Option* add_number(CLI::App* cmd, const std::string& name, T& value,
                        const std::string& description) {
  return add_read(cmd, name, value, number_named<T>, description, "NUMBER");
}

// One of the names of the enum E, or a comma-separated list of them; the help lists them.
template <NamedEnum E>
CLI::Option* add_choice(CLI::App* cmd, const std::string& name, E& value,
                        const std::string& description) {
  return add_read(cmd, name, value, choice_named<E>,
                  description + " (" + enum_names_text<E>() + "; default " + to_string(value) + ")",
                  "NAME");
}
template <NamedEnum E>
CLI::Option* add_choices(CLI::App* cmd, const std::string& name, std::vector<E>& values,
                         const std::string& description) {
  std::string defaults;
  for (E value : values) {
    if (!defaults.empty()) defaults += ',';
    defaults += to_string(value);
  }
  return add_list(cmd, name, values, choice_named<E>,
                  description + " (" + enum_names_text<E>() + "; default " + defaults + ")",
                  "NAME");
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

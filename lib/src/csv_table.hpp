// A CSV schema written once: a table of columns, each with its name, how a row writes it and how
// a field reads back into a row. The header, the writer and the reader are all derived from that
// table, so a file's columns cannot drift from its parser (the sweep's rows, the training log).
#pragma once

#include <cstddef>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bloomnet/error.hpp"

namespace bloomnet::csv {

template <class Row>
struct Column {
  const char* name;
  std::string (*write)(const Row& row);
  // Reads `field` into the row; `what` names the field ("file:3 column 'width'") for errors.
  void (*read)(std::string_view field, const std::string& what, Row& row);
};

template <class Row>
std::string header(std::span<const Column<Row>> columns) {
  std::string out;
  for (const Column<Row>& column : columns) {
    if (!out.empty()) out += ',';
    out += column.name;
  }
  return out;
}

template <class Row>
std::string line(std::span<const Column<Row>> columns, const Row& row) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i != 0) out += ',';
    out += columns[i].write(row);
  }
  return out;
}

// A header line, then one line per row.
template <class Row>
std::string write(std::span<const Column<Row>> columns, std::span<const Row> rows) {
  std::string out = header(columns) + "\n";
  for (const Row& row : rows) out += line(columns, row) + "\n";
  return out;
}

// Rows from CSV text. Header lines anywhere (files concatenated) and blank lines are skipped;
// a line with another number of fields, or a field its column cannot read, is an Error naming
// `source`, the line and the column.
template <class Row>
std::vector<Row> parse(std::span<const Column<Row>> columns, const std::string& text,
                       const std::string& source) {
  const std::string head = header(columns);
  std::vector<Row> rows;
  std::istringstream in(text);
  std::string text_line;
  size_t number = 0;
  while (std::getline(in, text_line)) {
    ++number;
    if (!text_line.empty() && text_line.back() == '\r') text_line.pop_back();
    if (text_line.empty() || text_line == head) continue;
    const std::string where = source + ":" + std::to_string(number);
    std::vector<std::string> fields;
    std::istringstream cells(text_line);
    for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
    if (text_line.back() == ',') fields.emplace_back();
    require(fields.size() == columns.size(),
            where + ": " + std::to_string(fields.size()) + " fields, expected " +
                std::to_string(columns.size()) + " (" + head + ")");
    Row row{};
    for (size_t i = 0; i < columns.size(); ++i) {
      columns[i].read(fields[i], where + " column '" + columns[i].name + "'", row);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace bloomnet::csv

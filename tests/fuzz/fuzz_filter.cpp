// Hostile --filter expressions: the first line of the input is the expression, each further
// line a row of comma-separated cells for the columns below. Parsing and evaluating may only
// succeed or throw InputError.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "io/filter.hpp"
#include "shannonfit/errors.hpp"

using namespace shannonfit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  static const std::vector<std::string> columns = {"N", "D", "loss", "lr", "group name", "tag"};
  std::istringstream in(std::string(reinterpret_cast<const char*>(bytes), size));
  std::string expression;
  std::getline(in, expression);
  try {
    const io::Filter filter(expression, columns);
    std::string line;
    for (int row = 0; row < 8 && std::getline(in, line); ++row) {
      std::vector<std::string> cells;
      std::istringstream fields(line);
      std::string cell;
      while (cells.size() < columns.size() && std::getline(fields, cell, ',')) cells.push_back(cell);
      cells.resize(columns.size());
      filter.matches(cells, "fuzz.csv:" + std::to_string(row + 2));
    }
  } catch (const InputError&) {
  }
  return 0;
}

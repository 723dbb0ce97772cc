#pragma once
// Aligned plain-text tables for terminal output: every command's tables look alike.
#include <string>
#include <vector>

namespace shannonfit::io {

class TextTable {
 public:
  enum class Align { Left, Right };
  // One column per header; `align` defaults to left for the first column, right for the rest
  // (a name followed by numbers).
  explicit TextTable(std::vector<std::string> header, std::vector<Align> align = {});
  void add_row(std::vector<std::string> cells);
  // Columns separated by two spaces, each line prefixed by `indent`, ending in a newline.
  std::string render(const std::string& indent = "  ") const;

 private:
  std::vector<std::string> header_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;
};

// Compact numbers for tables: %.*g, and "n/a" for NaN (a value that does not exist, such as
// the SE of a parameter that is not identified).
std::string format_number(double v, int significant = 6);

}  // namespace shannonfit::io

#pragma once
// Row-selection expressions (--filter, and any option that picks rows by a condition).
//
// Grammar, loosest binding first:
//   expr    := or
//   or      := and  (("||" | "or")  and)*
//   and     := not  (("&&" | "and") not)*
//   not     := ("!" | "not") not | cmp
//   cmp     := sum  (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
//   sum     := prod (("+" | "-") prod)*
//   prod    := unary (("*" | "/") unary)*
//   unary   := "-" unary | atom
//   atom    := number | column | "string" | 'string' | "(" expr ")"
//   column  := [A-Za-z_][A-Za-z0-9_.]*   or   `any text`   (backticks for names with spaces)
// The whole expression must be a condition (true/false). A column compared with a string
// literal compares text (only == and !=); everywhere else a column is read as a number.
// Parse errors throw InputError naming the option and pointing at the offending character.
#include <memory>
#include <string>
#include <vector>

namespace shannonfit::io {

class Filter {
 public:
  // Parses `text`; column names are resolved against `columns` (usually a CSV header).
  // `option` names the command-line option in error messages.
  Filter(const std::string& text, const std::vector<std::string>& columns,
         const std::string& option = "--filter");
  ~Filter();
  Filter(Filter&&) noexcept;
  Filter& operator=(Filter&&) noexcept;

  // Evaluates the condition on one row of cells (indexed like `columns`). `where` locates the
  // row for error messages ("data.csv:12"); a cell that must be a number and is not throws
  // InputError.
  bool matches(const std::vector<std::string>& cells, const std::string& where) const;

  const std::string& text() const { return text_; }
  // Indices into `columns` of every column the expression reads.
  const std::vector<int>& columns_used() const { return used_; }

  struct Node;

 private:
  std::string text_;
  std::string option_;
  std::vector<std::string> columns_;
  std::vector<int> used_;
  std::unique_ptr<Node> root_;
};

}  // namespace shannonfit::io

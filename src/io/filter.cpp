#include "io/filter.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "io/csv.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::io {

struct Filter::Node {
  enum Kind { Number, Text, Column, Neg, Add, Sub, Mul, Div, Lt, Le, Gt, Ge, Eq, Ne, TextEq, TextNe,
              And, Or, Not };
  Kind kind;
  double number = 0;
  std::string text;
  int column = -1;
  int height = 1;  // of the tree below this node, bounded by kMaxNesting
  std::unique_ptr<Node> lhs, rhs;
};

namespace {

using Node = Filter::Node;
// What a sub-expression yields. A bare column is either a number or text, decided by what it
// is compared with.
enum class Type { Number, Bool, Text, Column };

// Parsing, evaluating and freeing an expression recurse once per level of its tree, so a hostile
// argument (thousands of '(' or '!', or a chain of thousands of '+') would overflow the stack.
// No filter a person writes comes near this.
constexpr int kMaxNesting = 200;

class Parser {
 public:
  Parser(const std::string& text, const std::vector<std::string>& columns,
         const std::string& option, std::vector<int>& used)
      : s_(text), columns_(columns), option_(option), used_(used) {}

  std::unique_ptr<Node> parse() {
    skip_space();
    if (pos_ == s_.size()) fail(0, "the expression is empty");
    Type t;
    auto root = parse_or(t);
    skip_space();
    if (pos_ != s_.size()) fail(pos_, "unexpected '" + s_.substr(pos_, 1) + "'");
    if (t != Type::Bool) fail(0, "the expression is not a condition (use <, <=, >, >=, ==, !=)");
    return root;
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& what) const {
    // A long expression is shown as the stretch around the error, so the message stays readable.
    constexpr std::size_t kContext = 60;
    const std::size_t from = at > kContext ? at - kContext : 0;
    const std::string head = from > 0 ? "..." : "";
    const std::string tail = at + kContext < s_.size() ? "..." : "";
    throw InputError(option_ + ": " + what + " at character " + std::to_string(at + 1) + ":\n  " +
                     head + s_.substr(from, 2 * kContext) + tail + "\n  " +
                     std::string(head.size() + at - from, ' ') + "^");
  }

  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }

  // Consumes `token` if it comes next. Word tokens must not run on into an identifier.
  bool accept(const char* token) {
    skip_space();
    const std::size_t n = std::char_traits<char>::length(token);
    if (s_.compare(pos_, n, token) != 0) return false;
    if (std::isalpha(static_cast<unsigned char>(token[0])) && pos_ + n < s_.size() &&
        is_ident_char(s_[pos_ + n]))
      return false;
    pos_ += n;
    return true;
  }

  static bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
  }
  static bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  }

  [[noreturn]] void too_deep() const {
    fail(pos_ ? pos_ - 1 : 0, "the expression nests parentheses, '!', 'not' or '-', or chains "
                              "operators, more than " + std::to_string(kMaxNesting) +
                              " levels deep");
  }

  std::unique_ptr<Node> make(Node::Kind k, std::unique_ptr<Node> l = nullptr,
                             std::unique_ptr<Node> r = nullptr) const {
    auto n = std::make_unique<Node>();
    n->kind = k;
    n->height = 1 + std::max(l ? l->height : 0, r ? r->height : 0);
    if (n->height > kMaxNesting) too_deep();
    n->lhs = std::move(l);
    n->rhs = std::move(r);
    return n;
  }

  // One level of recursion of the parser (a '(', '!', 'not' or '-'), refused past kMaxNesting
  // before it recurses further.
  class Nested {
   public:
    explicit Nested(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxNesting) p_.too_deep();
    }
    ~Nested() { --p_.depth_; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;

   private:
    Parser& p_;
  };

  void require(Type got, Type want, std::size_t at, const char* role) const {
    const bool ok = got == want || (want == Type::Number && got == Type::Column);
    if (!ok)
      fail(at, std::string(role) + (want == Type::Bool ? " needs a condition" : " needs a number"));
  }

  struct BinaryOp {
    const char* token;
    Node::Kind kind;
  };
  using Level = std::unique_ptr<Node> (Parser::*)(Type&);

  // The first of `ops` that comes next, consumed; null when none does.
  template <std::size_t K>
  const BinaryOp* accept_any(const BinaryOp (&ops)[K]) {
    for (const BinaryOp& op : ops)
      if (accept(op.token)) return &op;
    return nullptr;
  }

  // One left-associative precedence level: operands parsed by `next`, joined by any of `ops`;
  // each operand must be (and the result is) of type `operand`; `role` names the operator in
  // errors.
  template <std::size_t K>
  std::unique_ptr<Node> parse_binary(Type& t, Level next, const BinaryOp (&ops)[K], Type operand,
                                     const char* role) {
    std::size_t at = (skip_space(), pos_);
    auto lhs = (this->*next)(t);
    while (const BinaryOp* op = accept_any(ops)) {
      require(t, operand, at, role);
      at = (skip_space(), pos_);
      Type rt;
      auto rhs = (this->*next)(rt);
      require(rt, operand, at, role);
      lhs = make(op->kind, std::move(lhs), std::move(rhs));
      t = operand;
    }
    return lhs;
  }

  std::unique_ptr<Node> parse_or(Type& t) {
    static const BinaryOp ops[] = {{"||", Node::Or}, {"or", Node::Or}};
    return parse_binary(t, &Parser::parse_and, ops, Type::Bool, "'or'");
  }

  std::unique_ptr<Node> parse_and(Type& t) {
    static const BinaryOp ops[] = {{"&&", Node::And}, {"and", Node::And}};
    return parse_binary(t, &Parser::parse_not, ops, Type::Bool, "'and'");
  }

  std::unique_ptr<Node> parse_not(Type& t) {
    skip_space();
    const bool bang = pos_ < s_.size() && s_[pos_] == '!' && s_.compare(pos_, 2, "!=") != 0;
    if (bang) ++pos_;
    if (bang || accept("not")) {
      const Nested nested(*this);
      const std::size_t at = (skip_space(), pos_);
      auto operand = parse_not(t);
      require(t, Type::Bool, at, "'not'");
      return make(Node::Not, std::move(operand));
    }
    return parse_cmp(t);
  }

  std::unique_ptr<Node> parse_cmp(Type& t) {
    const std::size_t at = (skip_space(), pos_);
    auto lhs = parse_sum(t);
    static const BinaryOp ops[] = {
        {"<=", Node::Le}, {">=", Node::Ge}, {"==", Node::Eq}, {"!=", Node::Ne},
        {"<", Node::Lt},  {">", Node::Gt}};
    const std::size_t op_at = (skip_space(), pos_);
    for (const auto& op : ops) {
      if (!accept(op.token)) continue;
      const std::size_t rhs_at = (skip_space(), pos_);
      Type rt;
      auto rhs = parse_sum(rt);
      const bool text = t == Type::Text || rt == Type::Text;
      if (text) {
        if (op.kind != Node::Eq && op.kind != Node::Ne)
          fail(op_at, "text can only be compared with == or !=");
        const bool other_ok = (t == Type::Text || t == Type::Column) &&
                              (rt == Type::Text || rt == Type::Column);
        if (!other_ok) fail(t == Type::Text ? rhs_at : at, "text compared with a non-column");
      } else {
        require(t, Type::Number, at, "a comparison");
        require(rt, Type::Number, rhs_at, "a comparison");
      }
      const Node::Kind kind = !text ? op.kind : (op.kind == Node::Eq ? Node::TextEq : Node::TextNe);
      t = Type::Bool;
      return make(kind, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  std::unique_ptr<Node> parse_sum(Type& t) {
    static const BinaryOp ops[] = {{"+", Node::Add}, {"-", Node::Sub}};
    return parse_binary(t, &Parser::parse_prod, ops, Type::Number, "arithmetic");
  }

  std::unique_ptr<Node> parse_prod(Type& t) {
    static const BinaryOp ops[] = {{"*", Node::Mul}, {"/", Node::Div}};
    return parse_binary(t, &Parser::parse_unary, ops, Type::Number, "arithmetic");
  }

  std::unique_ptr<Node> parse_unary(Type& t) {
    const std::size_t at = (skip_space(), pos_);
    if (pos_ < s_.size() && s_[pos_] == '-' &&
        !(pos_ + 1 < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])) ||
                                   s_[pos_ + 1] == '.'))) {
      ++pos_;
      const Nested nested(*this);
      auto operand = parse_unary(t);
      require(t, Type::Number, at, "'-'");
      t = Type::Number;
      return make(Node::Neg, std::move(operand));
    }
    return parse_atom(t);
  }

  std::unique_ptr<Node> parse_atom(Type& t) {
    skip_space();
    const std::size_t at = pos_;
    if (at == s_.size()) fail(at, "the expression ends too early");
    const char c = s_[at];
    if (c == '(') {
      ++pos_;
      const Nested nested(*this);
      auto inner = parse_or(t);
      skip_space();
      if (pos_ >= s_.size()) fail(at, "this '(' is never closed");
      if (s_[pos_] != ')') fail(pos_, "expected ')'");
      ++pos_;
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+') {
      const char* begin = s_.c_str() + at;
      char* end = nullptr;
      const double v = std::strtod(begin, &end);
      if (end == begin || !std::isfinite(v)) fail(at, "expected a number");
      pos_ += static_cast<std::size_t>(end - begin);
      if (pos_ < s_.size() && is_ident_start(s_[pos_])) fail(pos_, "unexpected text after a number");
      auto n = make(Node::Number);
      n->number = v;
      t = Type::Number;
      return n;
    }
    if (c == '"' || c == '\'' || c == '`') {
      const std::size_t close = s_.find(c, at + 1);
      if (close == std::string::npos) fail(at, std::string("unterminated ") + c);
      const std::string body = s_.substr(at + 1, close - at - 1);
      pos_ = close + 1;
      if (c == '`') return column(body, at, t);
      auto n = make(Node::Text);
      n->text = body;
      t = Type::Text;
      return n;
    }
    if (is_ident_start(c)) {
      while (pos_ < s_.size() && is_ident_char(s_[pos_])) ++pos_;
      return column(s_.substr(at, pos_ - at), at, t);
    }
    fail(at, "unexpected '" + std::string(1, c) + "'");
  }

  std::unique_ptr<Node> column(const std::string& name, std::size_t at, Type& t) {
    const auto it = std::find(columns_.begin(), columns_.end(), name);
    if (it == columns_.end())
      fail(at, "no column '" + name + "' (columns: " + join_names(columns_) + ")");
    auto n = make(Node::Column);
    n->column = static_cast<int>(it - columns_.begin());
    n->text = name;
    if (std::find(used_.begin(), used_.end(), n->column) == used_.end())
      used_.push_back(n->column);
    t = Type::Column;
    return n;
  }

  const std::string& s_;
  const std::vector<std::string>& columns_;
  const std::string& option_;
  std::vector<int>& used_;
  std::size_t pos_ = 0;
  int depth_ = 0;  // current recursion of parse_not, parse_unary and parentheses
};

struct Evaluator {
  const std::vector<std::string>& cells;
  const std::string& where;
  const std::string& option;

  const std::string& text(const Node& n) const {
    return n.kind == Node::Column ? cells.at(static_cast<std::size_t>(n.column)) : n.text;
  }

  double number(const Node& n) const {
    switch (n.kind) {
      case Node::Number: return n.number;
      case Node::Column: {
        const std::string& cell = cells.at(static_cast<std::size_t>(n.column));
        double v;
        if (!parse_number(cell, v))
          throw InputError(where + ": column '" + n.text + "': '" + cell + "' is not a number (read by " +
                           option + ")");
        return v;
      }
      case Node::Neg: return -number(*n.lhs);
      case Node::Add: return number(*n.lhs) + number(*n.rhs);
      case Node::Sub: return number(*n.lhs) - number(*n.rhs);
      case Node::Mul: return number(*n.lhs) * number(*n.rhs);
      case Node::Div: return number(*n.lhs) / number(*n.rhs);
      default: return truth(n) ? 1.0 : 0.0;
    }
  }

  bool truth(const Node& n) const {
    switch (n.kind) {
      case Node::Lt: return number(*n.lhs) < number(*n.rhs);
      case Node::Le: return number(*n.lhs) <= number(*n.rhs);
      case Node::Gt: return number(*n.lhs) > number(*n.rhs);
      case Node::Ge: return number(*n.lhs) >= number(*n.rhs);
      case Node::Eq: return number(*n.lhs) == number(*n.rhs);
      case Node::Ne: return number(*n.lhs) != number(*n.rhs);
      case Node::TextEq: return text(*n.lhs) == text(*n.rhs);
      case Node::TextNe: return text(*n.lhs) != text(*n.rhs);
      case Node::And: return truth(*n.lhs) && truth(*n.rhs);
      case Node::Or: return truth(*n.lhs) || truth(*n.rhs);
      case Node::Not: return !truth(*n.lhs);
      default: return number(n) != 0.0;
    }
  }
};

}  // namespace

Filter::Filter(const std::string& text, const std::vector<std::string>& columns,
               const std::string& option)
    : text_(text), option_(option), columns_(columns) {
  root_ = Parser(text_, columns_, option_, used_).parse();
}

Filter::~Filter() = default;
Filter::Filter(Filter&&) noexcept = default;
Filter& Filter::operator=(Filter&&) noexcept = default;

bool Filter::matches(const std::vector<std::string>& cells, const std::string& where) const {
  return Evaluator{cells, where, option_}.truth(*root_);
}

}  // namespace shannonfit::io

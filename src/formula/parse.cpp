// The formula language's parser (grammar in formula.hpp), with errors that quote the formula and
// put a caret under the offending character.
//   sum     := product (("+" | "-") product)*
//   product := unary (("*" | "/") unary)*
//   unary   := ("-" | "+") unary | power
//   power   := atom (("^" | "**") unary)?        right-associative: 2^3^2 = 2^9
//   atom    := number | name | name "(" sum ("," sum)* ")" | "(" sum ")"
// Sums and products are n-ary nodes (a chain of + or * is one node, not a deep tree), so the
// nesting limit counts real nesting only.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "io/csv.hpp"
#include "shannonfit/formula/formula.hpp"

namespace shannonfit::formula {
namespace {

struct FunctionName {
  const char* name;
  Function function;
  int min_args, max_args;
};
constexpr FunctionName kFunctions[] = {
    {"exp", Function::Exp, 1, 1},     {"log", Function::Log, 1, 1},
    {"log2", Function::Log2, 1, 1},   {"log10", Function::Log10, 1, 1},
    {"log1p", Function::Log1p, 1, 1}, {"sqrt", Function::Sqrt, 1, 1},
    {"pow", Function::Pow, 2, 2},     {"min", Function::Min, 2, 64},
    {"max", Function::Max, 2, 64},    {"cos", Function::Cos, 1, 1},
    {"sin", Function::Sin, 1, 1},     {"atan", Function::Atan, 1, 1},
};

const FunctionName* find_function(const std::string& name) {
  for (const FunctionName& f : kFunctions)
    if (name == f.name) return &f;
  return nullptr;
}

class Parser {
 public:
  Parser(const std::string& text, const ParseOptions& options, Expression& out)
      : s_(text), options_(options), out_(out) {}

  Node parse() {
    if (s_.size() > kMaxFormulaLength)
      fail(kMaxFormulaLength, "the formula is longer than " + std::to_string(kMaxFormulaLength) +
                                  " characters");
    skip_space();
    if (pos_ == s_.size()) fail(0, "the formula is empty");
    Node root = parse_sum();
    skip_space();
    if (pos_ != s_.size()) {
      if (s_[pos_] == ')') fail(pos_, "')' without a matching '('");
      fail(pos_, "expected an operator (+ - * / ^) before '" + s_.substr(pos_, 1) + "'");
    }
    return root;
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& what) const {
    // A long formula is shown as the stretch around the error, so the message stays readable.
    constexpr std::size_t kContext = 60;
    at = std::min(at, s_.size());
    const std::size_t from = at > kContext ? at - kContext : 0;
    const std::string head = from > 0 ? "..." : "";
    const std::string tail = at + kContext < s_.size() ? "..." : "";
    std::string shown = s_.substr(from, 2 * kContext);
    for (char& c : shown)
      if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    throw FormulaError(options_.what + ": " + what + " at character " + std::to_string(at + 1) +
                           ":\n  " + head + shown + tail + "\n  " +
                           std::string(head.size() + at - from, ' ') + "^",
                       at);
  }

  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  static bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
  static bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

  // One level of nesting, refused past kMaxNesting before the parser recurses further.
  class Nested {
   public:
    Nested(Parser& p, std::size_t at) : p_(p) {
      if (++p_.depth_ > kMaxNesting)
        p_.fail(at, "the formula nests parentheses, signs, powers or calls more than " +
                        std::to_string(kMaxNesting) + " levels deep");
    }
    ~Nested() { --p_.depth_; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;

   private:
    Parser& p_;
  };

  Node make(Node::Kind kind, std::size_t at) {
    if (++nodes_ > kMaxNodes)
      fail(at, "the formula has more than " + std::to_string(kMaxNodes) + " terms");
    Node n;
    n.kind = kind;
    n.position = at;
    return n;
  }

  Node parse_sum() {
    skip_space();
    const std::size_t at = pos_;
    Node first = parse_product();
    if (!(peek('+') || peek('-'))) return first;
    Node sum = make(Node::Kind::Sum, at);
    sum.args.push_back(std::move(first));
    sum.inverse.push_back(false);
    while (peek('+') || peek('-')) {
      const bool minus = s_[pos_++] == '-';
      sum.args.push_back(parse_product());
      sum.inverse.push_back(minus);
    }
    return sum;
  }

  bool at_product_operator() {
    skip_space();
    if (pos_ >= s_.size()) return false;
    if (s_[pos_] == '/') return true;
    return s_[pos_] == '*' && !(pos_ + 1 < s_.size() && s_[pos_ + 1] == '*');
  }

  Node parse_product() {
    skip_space();
    const std::size_t at = pos_;
    Node first = parse_unary();
    if (!at_product_operator()) return first;
    Node product = make(Node::Kind::Product, at);
    product.args.push_back(std::move(first));
    product.inverse.push_back(false);
    while (at_product_operator()) {
      const bool divide = s_[pos_++] == '/';
      product.args.push_back(parse_unary());
      product.inverse.push_back(divide);
    }
    return product;
  }

  Node parse_unary() {
    skip_space();
    const std::size_t at = pos_;
    if (peek('-') || peek('+')) {
      const bool minus = s_[pos_++] == '-';
      Nested nested(*this, at);
      Node operand = parse_unary();
      if (!minus) return operand;
      if (operand.kind == Node::Kind::Number) {
        operand.number = -operand.number;
        operand.position = at;
        return operand;
      }
      Node negate = make(Node::Kind::Negate, at);
      negate.args.push_back(std::move(operand));
      return negate;
    }
    return parse_power();
  }

  bool accept_power() {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '^') {
      ++pos_;
      return true;
    }
    if (s_.compare(pos_, 2, "**") == 0) {
      pos_ += 2;
      return true;
    }
    return false;
  }

  Node parse_power() {
    skip_space();
    const std::size_t at = pos_;
    Node base = parse_atom();
    if (!accept_power()) return base;
    Nested nested(*this, at);
    Node power = make(Node::Kind::Power, at);
    power.args.push_back(std::move(base));
    power.args.push_back(parse_unary());
    return power;
  }

  Node parse_atom() {
    skip_space();
    const std::size_t at = pos_;
    if (pos_ == s_.size()) fail(pos_, "the formula ends where a number, name or '(' should be");
    const char c = s_[pos_];
    if (c == '(') {
      Nested nested(*this, at);
      ++pos_;
      Node inner = parse_sum();
      if (!peek(')')) fail(pos_ < s_.size() ? pos_ : at, pos_ < s_.size()
                                                             ? "expected ')' to close the '(' here"
                                                             : "the '(' here is never closed");
      ++pos_;
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return parse_number();
    if (ident_start(c)) return parse_name();
    if (c == ')') fail(pos_, "')' where a number, name or '(' should be");
    fail(pos_, "unexpected '" + s_.substr(pos_, 1) + "'");
  }

  Node parse_number() {
    const std::size_t at = pos_;
    std::size_t end = pos_;
    while (end < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[end])) || s_[end] == '.'))
      ++end;
    if (end < s_.size() && (s_[end] == 'e' || s_[end] == 'E')) {
      std::size_t e = end + 1;
      if (e < s_.size() && (s_[e] == '+' || s_[e] == '-')) ++e;
      if (e < s_.size() && std::isdigit(static_cast<unsigned char>(s_[e]))) {
        while (e < s_.size() && std::isdigit(static_cast<unsigned char>(s_[e]))) ++e;
        end = e;
      }
    }
    const std::string literal = s_.substr(at, end - at);
    char* stop = nullptr;
    errno = 0;
    const double v = std::strtod(literal.c_str(), &stop);
    if (stop != literal.c_str() + literal.size() || literal == ".")
      fail(at, "'" + literal + "' is not a number");
    if (errno == ERANGE || !std::isfinite(v)) fail(at, "'" + literal + "' is out of range");
    pos_ = end;
    if (pos_ < s_.size() && ident_start(s_[pos_]))
      fail(pos_, "a name runs into the number before it (write '*' to multiply)");
    Node n = make(Node::Kind::Number, at);
    n.number = v;
    return n;
  }

  // A declared column takes the name from N, D and x: 'f(x): b1*(1 - exp(-b2*x))' reads the
  // CSV column x as it stands, of any sign, rather than a perturbation strength.
  int variable_index(const std::string& name) const {
    for (std::size_t k = 0; k < options_.columns.size(); ++k)
      if (options_.columns[k] == name) return kFirstColumn + static_cast<int>(k);
    if (name == "N") return kVariableN;
    if (name == "D") return kVariableD;
    if (name == "x") return kVariableX;
    return -1;
  }

  std::vector<std::string> names_in_scope() const {
    std::vector<std::string> names = {"N", "D", "x"};
    names.insert(names.end(), options_.columns.begin(), options_.columns.end());
    if (options_.parameters)
      names.insert(names.end(), options_.parameters->begin(), options_.parameters->end());
    return names;
  }

  Node parse_name() {
    const std::size_t at = pos_;
    std::size_t end = pos_;
    while (end < s_.size() && ident_char(s_[end])) ++end;
    const std::string name = s_.substr(at, end - at);
    pos_ = end;
    if (peek('(')) return parse_call(name, at);
    if (find_function(name))
      fail(at, "'" + name + "' is a function: write " + name + "(...)");
    if (const int v = variable_index(name); v >= 0) {
      Node n = make(Node::Kind::Variable, at);
      n.name = name;
      n.index = v;
      if (v == kVariableN) out_.uses_n = true;
      if (v == kVariableD) out_.uses_d = true;
      if (v == kVariableX) out_.uses_x = true;
      if (v >= kFirstColumn) out_.uses_column[v - kFirstColumn] = true;
      return n;
    }
    auto& params = out_.parameters;
    auto it = std::find(params.begin(), params.end(), name);
    if (it == params.end()) {
      if (options_.parameters) {
        const std::string close = io::closest_column(names_in_scope(), name);
        fail(at, "unknown variable '" + name + "' (variables: N, D, x" +
                     (options_.columns.empty() ? "" : ", " + io::join_names(options_.columns)) +
                     "; parameters: " + io::join_names(*options_.parameters) + ")" +
                     (close.empty() ? "" : "; did you mean '" + close + "'?"));
      }
      params.push_back(name);
      it = params.end() - 1;
    }
    Node n = make(Node::Kind::Parameter, at);
    n.name = name;
    n.index = static_cast<int>(it - params.begin());
    return n;
  }

  Node parse_call(const std::string& name, std::size_t at) {
    const FunctionName* f = find_function(name);
    if (!f) {
      std::vector<std::string> known;
      for (const FunctionName& k : kFunctions) known.push_back(k.name);
      // ln is what many people write for the natural logarithm.
      const std::string close = name == "ln" ? "log" : io::closest_column(known, name);
      fail(at, "unknown function '" + name + "'" +
                   (close.empty() ? "" : "; did you mean '" + close + "'?") +
                   " (functions: " + io::join_names(known) + ")");
    }
    Nested nested(*this, at);
    ++pos_;  // '('
    Node call = make(Node::Kind::Call, at);
    call.name = name;
    call.function = f->function;
    if (peek(')')) fail(pos_, name + "() needs an argument");
    for (;;) {
      call.args.push_back(parse_sum());
      if (peek(',')) {
        ++pos_;
        continue;
      }
      if (peek(')')) {
        ++pos_;
        break;
      }
      fail(pos_ < s_.size() ? pos_ : at, pos_ < s_.size() ? "expected ',' or ')' in the call of " + name
                                                          : "the call of " + name + " is never closed");
    }
    const int n = static_cast<int>(call.args.size());
    if (n < f->min_args || n > f->max_args)
      fail(at, name + "() takes " +
                   (f->min_args == f->max_args ? std::to_string(f->min_args)
                                               : "at least " + std::to_string(f->min_args)) +
                   " argument" + (f->max_args == 1 ? "" : "s") + ", not " + std::to_string(n));
    return call;
  }

  const std::string& s_;
  const ParseOptions& options_;
  Expression& out_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  int nodes_ = 0;
};

}  // namespace

Expression parse(const std::string& text, const ParseOptions& options) {
  Expression e;
  e.text = text;
  e.columns = options.columns;
  e.uses_column.assign(options.columns.size(), false);
  if (options.parameters) e.parameters = *options.parameters;
  e.root = Parser(e.text, options, e).parse();
  return e;
}

}  // namespace shannonfit::formula

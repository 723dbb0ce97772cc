// From a parsed formula to the tape of ln L̂, in the solver's space: how each parameter is
// fitted (its role), the careful forms (formula.hpp), the separable structure, and the slots.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "io/csv.hpp"
#include "shannonfit/formula/evaluate.hpp"
#include "shannonfit/formula/formula.hpp"

namespace shannonfit::formula {
namespace {

using Kind = Node::Kind;

// ---- roles ----------------------------------------------------------------------------------

struct Occurrences {
  bool in_exponent = false, outside_exponent = false, not_scale = false;
};

// Context of one occurrence: inside an exponent (of ^ or pow), and whether the path from
// the root keeps the quantity a positive factor or added term (no sign change, no function but
// the monotone ones that need a positive argument anyway).
void collect_roles(const Node& n, bool exponent, bool scale_path, std::vector<Occurrences>& occ) {
  switch (n.kind) {
    case Kind::Parameter: {
      Occurrences& o = occ[n.index];
      (exponent ? o.in_exponent : o.outside_exponent) = true;
      if (exponent || !scale_path) o.not_scale = true;
      return;
    }
    case Kind::Number:
    case Kind::Variable: return;
    case Kind::Negate: collect_roles(n.args[0], exponent, false, occ); return;
    case Kind::Sum:
      for (std::size_t k = 0; k < n.args.size(); ++k)
        collect_roles(n.args[k], exponent, scale_path && !n.inverse[k], occ);
      return;
    case Kind::Product:
      for (const Node& a : n.args) collect_roles(a, exponent, scale_path, occ);
      return;
    case Kind::Power:
      collect_roles(n.args[0], exponent, scale_path, occ);
      collect_roles(n.args[1], true, false, occ);
      return;
    case Kind::Call:
      switch (n.function) {
        // A rate inside exp() (exp(-k t), NIST's exp(b2/(x + b3)) with b2 = 6181) is no power
        // exponent: fitted as itself over the free box, not the exponents' 0 .. 5.
        case Function::Exp: collect_roles(n.args[0], exponent, false, occ); return;
        case Function::Pow:
          collect_roles(n.args[0], exponent, scale_path, occ);
          collect_roles(n.args[1], true, false, occ);
          return;
        // Not monotone: a factor inside them is no positive scale.
        case Function::Cos:
        case Function::Sin:
        case Function::Atan: collect_roles(n.args[0], exponent, false, occ); return;
        default:
          for (const Node& a : n.args) collect_roles(a, exponent, scale_path, occ);
          return;
      }
  }
}

std::vector<Role> roles_of(const Expression& e) {
  std::vector<Occurrences> occ(e.parameters.size());
  collect_roles(e.root, false, true, occ);
  std::vector<Role> roles;
  for (const Occurrences& o : occ) {
    if (o.in_exponent && !o.outside_exponent)
      roles.push_back(Role::Exponent);
    else if (!o.not_scale && o.outside_exponent)
      roles.push_back(Role::Scale);
    else
      roles.push_back(Role::Free);
  }
  return roles;
}

// ---- the tape -------------------------------------------------------------------------------

bool is_number(const Node& n, double v) { return n.kind == Kind::Number && n.number == v; }

class Emitter {
 public:
  Emitter(Tape& tape, const std::vector<bool>& log_param, bool x_signed)
      : t_(tape), log_param_(log_param), x_signed_(x_signed) {}

  // ---- what the tree says about signs ----
  bool positive(const Node& n) const {
    switch (n.kind) {
      case Kind::Number: return n.number > 0;
      case Kind::Variable: return n.index == kVariableN || n.index == kVariableD;
      case Kind::Parameter: return log_param_[n.index];
      case Kind::Negate: return false;
      case Kind::Sum: {
        // Positive terms and terms that may be zero (1 + kappa x^2), at least one positive.
        bool any = false;
        for (std::size_t k = 0; k < n.args.size(); ++k) {
          if (n.inverse[k]) return false;
          if (positive(n.args[k]))
            any = true;
          else if (!nonnegative(n.args[k]))
            return false;
        }
        return any;
      }
      case Kind::Product:
        for (const Node& a : n.args)
          if (!positive(a)) return false;
        return true;
      case Kind::Power: return positive(n.args[0]);
      case Kind::Call:
        switch (n.function) {
          case Function::Exp: return true;
          case Function::Log:
          case Function::Log2:
          case Function::Log10: return above_one(n.args[0]);
          case Function::Log1p:
          case Function::Sqrt:
          case Function::Pow: return positive(n.args[0]);
          case Function::Min:
          case Function::Max:
            for (const Node& a : n.args)
              if (!positive(a)) return false;
            return true;
          case Function::Cos:
          case Function::Sin:
          case Function::Atan: return false;
        }
    }
    return false;
  }
  // At least zero: positive, x, an even power or a power of such, and products and sums of
  // such (kappa x^2, c x^p).
  bool nonnegative(const Node& n) const {
    if (positive(n)) return true;
    switch (n.kind) {
      case Kind::Number: return n.number >= 0;
      // The perturbation strength is never negative (the CSV reader refuses that); a column
      // read into x's slot may be.
      case Kind::Variable: return n.index == kVariableX && !x_signed_;
      case Kind::Power: {
        const Node& e = n.args[1];
        return nonnegative(n.args[0]) || (e.kind == Kind::Number && std::fmod(e.number, 2.0) == 0.0);
      }
      case Kind::Product:
        for (const Node& a : n.args)
          if (!nonnegative(a)) return false;
        return true;
      case Kind::Sum:
        for (std::size_t k = 0; k < n.args.size(); ++k)
          if (n.inverse[k] || !nonnegative(n.args[k])) return false;
        return true;
      case Kind::Call:
        return n.function == Function::Sqrt && nonnegative(n.args[0]);
      default: return false;
    }
  }
  // Greater than one: a positive sum with a term of at least 1, or a number above 1.
  bool above_one(const Node& n) const {
    if (n.kind == Kind::Number) return n.number > 1;
    if (n.kind != Kind::Sum || !positive(n)) return false;
    for (const Node& a : n.args)
      if (a.kind == Kind::Number && a.number >= 1) return true;
    return false;
  }

  // ---- instructions ----
  int emit(Op op, int a = -1, int b = -1, double c = 0, int index = 0,
           const std::vector<std::int32_t>& list = {}) {
    Instr in;
    in.op = op;
    in.a = a;
    in.b = b;
    in.c = c;
    in.index = index;
    in.count = static_cast<std::int32_t>(list.size());
    switch (op) {
      case Op::Const:
      case Op::LnN:
      case Op::LnD:
      case Op::X:
      case Op::Column: in.point = true; break;
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div:
        in.point = point(a) && point(b);
        in.mix = static_cast<std::uint8_t>((point(a) ? 0 : 2) | (point(b) ? 0 : 1));
        break;
      case Op::Neg:
      case Op::Exp:
      case Op::Log:
      case Op::Log1p:
      case Op::Sqrt:
      case Op::Cos:
      case Op::Sin:
      case Op::Atan: in.point = point(a); break;
      default: in.point = false;  // Param, and the operations that pick or combine per lane
    }
    if (auto folded = fold(in)) return emit(Op::Const, -1, -1, *folded);
    // The same instruction twice is computed once.
    std::uint64_t bits;
    std::memcpy(&bits, &in.c, sizeof bits);
    const auto key = std::make_tuple(static_cast<int>(op), a, b, bits, index, list);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    if (op == Op::LogSumExp) {
      in.index = static_cast<std::int32_t>(t_.lists.size());
      t_.lists.insert(t_.lists.end(), list.begin(), list.end());
    }
    t_.code.push_back(in);
    const int id = static_cast<int>(t_.code.size()) - 1;
    memo_.emplace(key, id);
    return id;
  }
  bool point(int i) const { return t_.code[i].point; }
  bool is_const(int i, double v) const {
    return t_.code[i].op == Op::Const && t_.code[i].c == v;
  }

  // Constant operands are folded in double, as the tape would compute them.
  std::optional<double> fold(const Instr& in) const {
    auto c = [&](int i) -> std::optional<double> {
      if (i < 0 || t_.code[i].op != Op::Const) return std::nullopt;
      return t_.code[i].c;
    };
    const auto a = c(in.a), b = c(in.b);
    switch (in.op) {
      case Op::Add: if (a && b) return *a + *b; break;
      case Op::Sub: if (a && b) return *a - *b; break;
      case Op::Mul: if (a && b) return *a * *b; break;
      case Op::Div: if (a && b) return *a / *b; break;
      case Op::Neg: if (a) return -*a; break;
      case Op::Exp: if (a) return std::exp(*a); break;
      case Op::Log: if (a) return std::log(*a); break;
      case Op::Log1p: if (a) return std::log1p(*a); break;
      case Op::Sqrt: if (a) return std::sqrt(*a); break;
      case Op::Cos: if (a) return std::cos(*a); break;
      case Op::Sin: if (a) return std::sin(*a); break;
      case Op::Atan: if (a) return std::atan(*a); break;
      default: break;
    }
    return std::nullopt;
  }

  int add(int a, int b) { return is_const(a, 0) ? b : is_const(b, 0) ? a : emit(Op::Add, a, b); }
  int sub(int a, int b) {
    return is_const(b, 0) ? a : is_const(a, 0) ? emit(Op::Neg, b) : emit(Op::Sub, a, b);
  }
  int mul(int a, int b) { return is_const(a, 1) ? b : is_const(b, 1) ? a : emit(Op::Mul, a, b); }
  int log_sum_exp(const std::vector<std::int32_t>& terms) {
    if (terms.size() == 1) return terms[0];
    if (terms.size() > static_cast<std::size_t>(Tape::kMaxSlots))
      throw InputError("formula: a sum of more than " + std::to_string(Tape::kMaxSlots) +
                       " terms");
    return emit(Op::LogSumExp, -1, -1, 0, 0, terms);
  }

  // ---- ln of a positive node ----
  int log_of(const Node& n) {
    switch (n.kind) {
      case Kind::Number: return emit(Op::Const, -1, -1, std::log(n.number));
      case Kind::Variable: return emit(n.index == kVariableN ? Op::LnN : Op::LnD);
      case Kind::Parameter: return emit(Op::Param, -1, -1, 0, n.index);
      case Kind::Product: {
        int acc = emit(Op::Const, -1, -1, 0.0);
        for (std::size_t k = 0; k < n.args.size(); ++k) {
          const int l = log_of(n.args[k]);
          acc = n.inverse[k] ? sub(acc, l) : add(acc, l);
        }
        return acc;
      }
      case Kind::Power: return mul(value_of(n.args[1]), log_of(n.args[0]));
      case Kind::Sum: {
        // ln of the positive terms' sum by log-sum-exp; terms that may be zero are added as
        // ln(P + z) = ln P + log1p(z e^-ln P), which stays exact (derivatives too) at z = 0.
        std::vector<std::int32_t> terms;
        int zero_or_more = -1;
        for (const Node& a : n.args) {
          if (positive(a)) {
            terms.push_back(log_of(a));
          } else {
            const int v = value_of(a);
            zero_or_more = zero_or_more < 0 ? v : emit(Op::Add, zero_or_more, v);
          }
        }
        const int lp = log_sum_exp(terms);
        if (zero_or_more < 0) return lp;
        const int scaled = mul(zero_or_more, emit(Op::Exp, emit(Op::Neg, lp)));
        return add(lp, emit(Op::Log1p, scaled));
      }
      case Kind::Call:
        switch (n.function) {
          case Function::Exp: return value_of(n.args[0]);
          case Function::Sqrt: return mul(emit(Op::Const, -1, -1, 0.5), log_of(n.args[0]));
          case Function::Pow: return mul(value_of(n.args[1]), log_of(n.args[0]));
          case Function::Log: return log_log(n.args[0]);
          case Function::Log2:
            return sub(log_log(n.args[0]), emit(Op::Const, -1, -1, std::log(std::log(2.0))));
          case Function::Log10:
            return sub(log_log(n.args[0]), emit(Op::Const, -1, -1, std::log(std::log(10.0))));
          case Function::Log1p: return emit(Op::LogLog1pExp, log_of(n.args[0]));
          case Function::Min:
          case Function::Max: return min_max(n, &Emitter::log_of);
          case Function::Cos:
          case Function::Sin:
          case Function::Atan: break;
        }
        break;
      case Kind::Negate: break;
    }
    return emit(Op::Log, value_of(n));
  }

  // ln ln u for u > 1: ln ln(1 + z) from ln z without forming 1 + z (log_log1p_exp), so
  // neither a tiny nor a huge z loses digits or overflows.
  int log_log(const Node& u) {
    if (u.kind == Kind::Sum) {
      std::vector<const Node*> rest;
      bool one = false, rest_positive = true;
      for (const Node& a : u.args) {
        if (!one && is_number(a, 1.0)) {
          one = true;
        } else {
          rest.push_back(&a);
          rest_positive = rest_positive && positive(a);
        }
      }
      if (one && !rest.empty() && rest_positive) {
        std::vector<std::int32_t> logs;
        for (const Node* a : rest) logs.push_back(log_of(*a));
        return emit(Op::LogLog1pExp, log_sum_exp(logs));
      }
    }
    return emit(Op::Log, log_of(u));
  }

  // ---- the value of a node ----
  int value_of(const Node& n) {
    switch (n.kind) {
      case Kind::Number: return emit(Op::Const, -1, -1, n.number);
      case Kind::Variable:
        switch (n.index) {
          case kVariableN: return emit(Op::Exp, emit(Op::LnN));
          case kVariableD: return emit(Op::Exp, emit(Op::LnD));
          case kVariableX: return emit(Op::X);
          default: return emit(Op::Column, -1, -1, 0, n.index - kFirstColumn);
        }
      case Kind::Parameter: {
        const int p = emit(Op::Param, -1, -1, 0, n.index);
        return log_param_[n.index] ? emit(Op::Exp, p) : p;
      }
      case Kind::Negate: return emit(Op::Neg, value_of(n.args[0]));
      case Kind::Sum: {
        int acc = value_of(n.args[0]);
        if (n.inverse[0]) acc = emit(Op::Neg, acc);
        for (std::size_t k = 1; k < n.args.size(); ++k) {
          const int v = value_of(n.args[k]);
          acc = emit(n.inverse[k] ? Op::Sub : Op::Add, acc, v);
        }
        return acc;
      }
      case Kind::Product: {
        // A positive product is one exponential of its logarithm: A / N^alpha is
        // exp(ln A - alpha ln N), never a power of 1e10.
        if (positive(n)) return emit(Op::Exp, log_of(n));
        int acc = -1;
        for (std::size_t k = 0; k < n.args.size(); ++k) {
          const int v = value_of(n.args[k]);
          if (acc < 0)
            acc = n.inverse[k] ? emit(Op::Div, emit(Op::Const, -1, -1, 1.0), v) : v;
          else
            acc = emit(n.inverse[k] ? Op::Div : Op::Mul, acc, v);
        }
        return acc;
      }
      case Kind::Power: return power(n.args[0], n.args[1]);
      case Kind::Call:
        switch (n.function) {
          case Function::Exp: return emit(Op::Exp, value_of(n.args[0]));
          case Function::Log:
            return positive(n.args[0]) ? log_of(n.args[0]) : emit(Op::Log, value_of(n.args[0]));
          case Function::Log2:
          case Function::Log10: {
            const int l = positive(n.args[0]) ? log_of(n.args[0]) : emit(Op::Log, value_of(n.args[0]));
            const double base = n.function == Function::Log2 ? 2.0 : 10.0;
            return emit(Op::Div, l, emit(Op::Const, -1, -1, std::log(base)));
          }
          case Function::Log1p: return emit(Op::Log1p, value_of(n.args[0]));
          case Function::Sqrt: return emit(Op::Sqrt, value_of(n.args[0]));
          case Function::Pow: return power(n.args[0], n.args[1]);
          case Function::Min:
          case Function::Max: return min_max(n, &Emitter::value_of);
          case Function::Cos: return emit(Op::Cos, value_of(n.args[0]));
          case Function::Sin: return emit(Op::Sin, value_of(n.args[0]));
          case Function::Atan: return emit(Op::Atan, value_of(n.args[0]));
        }
    }
    throw std::logic_error("formula: node kind without a value");
  }

  int power(const Node& base, const Node& exponent) {
    if (positive(base)) return emit(Op::Exp, mul(value_of(exponent), log_of(base)));
    if (exponent.kind == Kind::Number) {
      const double e = exponent.number;
      // Whole powers of a value of any sign by multiplication, as pow does them.
      if (e == std::floor(e) && std::fabs(e) <= 64) {
        const int v = value_of(base);
        int result = emit(Op::Const, -1, -1, 1.0), square = v;
        for (long k = static_cast<long>(std::fabs(e)); k > 0; k >>= 1) {
          if (k & 1) result = mul(result, square);
          if (k > 1) square = emit(Op::Mul, square, square);
        }
        return e < 0 ? emit(Op::Div, emit(Op::Const, -1, -1, 1.0), result) : result;
      }
      if (e == 0.5) return emit(Op::Sqrt, value_of(base));
    }
    const int b = value_of(base), e = value_of(exponent);
    // x^p with x a point value that may be 0 (clean rows): 0 there, with zero derivatives.
    if (point(b) && !point(e)) return emit(Op::PowData, b, e);
    // Any other base: e^(e ln b), NaN for a negative base as pow gives for a fractional power.
    return emit(Op::Exp, emit(Op::Mul, e, emit(Op::Log, b)));
  }

  // min/max of the arguments, each lowered by `of`: ln is monotone, so min(ln u, ln v) is
  // ln min(u, v) and the log-space form folds the same way as the value-space one.
  int min_max(const Node& n, int (Emitter::*of)(const Node&)) {
    int acc = (this->*of)(n.args[0]);
    for (std::size_t k = 1; k < n.args.size(); ++k)
      acc = emit(n.function == Function::Min ? Op::Min : Op::Max, acc, (this->*of)(n.args[k]));
    return acc;
  }

  int root(const Node& n) { return positive(n) ? log_of(n) : emit(Op::Log, value_of(n)); }

 private:
  Tape& t_;
  const std::vector<bool>& log_param_;
  const bool x_signed_;  // x's slot holds a column of any sign, not a perturbation strength
  std::map<std::tuple<int, int, int, std::uint64_t, int, std::vector<std::int32_t>>, int> memo_;
};

// Keeps the instructions the result needs, in order (the result last), and gives each a slot
// in its bank, reusing slots whose value is dead.
void finish(Tape& t, int result, int n_params) {
  const int n = static_cast<int>(t.code.size());
  std::vector<bool> live(n, false);
  live[result] = true;
  auto operands = [](const Tape& tape, const Instr& in, auto f) {
    if (in.a >= 0) f(in.a);
    if (in.b >= 0) f(in.b);
    if (in.op == Op::LogSumExp)
      for (int k = 0; k < in.count; ++k) f(tape.lists[in.index + k]);
  };
  for (int i = result; i >= 0; --i)
    if (live[i]) operands(t, t.code[i], [&](int j) { live[j] = true; });
  std::vector<int> renumber(n, -1);
  Tape out;
  out.n_params = n_params;
  out.n_columns = t.n_columns;
  for (int i = 0; i <= result; ++i) {
    if (!live[i]) continue;
    Instr in = t.code[i];
    if (in.a >= 0) in.a = renumber[in.a];
    if (in.b >= 0) in.b = renumber[in.b];
    if (in.op == Op::LogSumExp) {
      const int offset = static_cast<int>(out.lists.size());
      for (int k = 0; k < in.count; ++k) out.lists.push_back(renumber[t.lists[in.index + k]]);
      in.index = offset;
    }
    renumber[i] = static_cast<int>(out.code.size());
    out.code.push_back(in);
  }
  if (static_cast<int>(out.code.size()) > Tape::kMaxLength)
    throw InputError("formula: too long once compiled (" + std::to_string(out.code.size()) +
                     " operations; at most " + std::to_string(Tape::kMaxLength) + ")");
  // Parameters each value depends on, and slots by last use.
  const int m = static_cast<int>(out.code.size());
  std::vector<std::uint32_t> reads(m, 0);
  std::vector<int> last_use(m, -1);
  for (int i = 0; i < m; ++i) {
    Instr& in = out.code[i];
    if (in.op == Op::Param) reads[i] = 1u << in.index;
    operands(out, in, [&](int j) {
      reads[i] |= reads[j];
      last_use[j] = i;
    });
  }
  last_use[m - 1] = m;  // the result outlives the tape
  // Lowering: inputs, constants and parameters are read where they are; every other
  // instruction becomes a step with a slot, reused once its value is dead.
  std::vector<Ref> where(m);
  std::vector<bool> temporary(m, false);
  std::vector<int> free_slots[2];
  int used[2] = {Tape::kFirstColumnSlot + out.n_columns, 0};
  std::map<std::uint64_t, int> constant_slot;
  auto take = [&](int bank, bool reuse) {
    if (reuse && !free_slots[bank].empty()) {
      const int slot = free_slots[bank].back();
      free_slots[bank].pop_back();
      return slot;
    }
    if (used[bank] >= Tape::kMaxSlots)
      throw InputError("formula: needs more than " + std::to_string(Tape::kMaxSlots) +
                       " intermediate values at once");
    return used[bank]++;
  };
  for (int i = 0; i < m; ++i) {
    const Instr& in = out.code[i];
    switch (in.op) {
      case Op::Const: {
        std::uint64_t bits;
        std::memcpy(&bits, &in.c, sizeof bits);
        auto it = constant_slot.find(bits);
        if (it == constant_slot.end()) {
          // Constants keep their slot for the whole evaluation: never from the free pool.
          it = constant_slot.emplace(bits, take(0, false)).first;
          out.constants.emplace_back(static_cast<std::int16_t>(it->second), in.c);
        }
        where[i] = {it->second, true};
        continue;
      }
      case Op::LnN: where[i] = {Tape::kLnNSlot, true}; continue;
      case Op::LnD: where[i] = {Tape::kLnDSlot, true}; continue;
      case Op::X: where[i] = {Tape::kXSlot, true}; continue;
      case Op::Column: where[i] = {Tape::kFirstColumnSlot + in.index, true}; continue;
      case Op::Param: where[i] = {~in.index, false}; continue;
      default: break;
    }
    Step step;
    step.op = in.op;
    step.point = in.point;
    if (in.a >= 0) step.a = where[in.a].at;
    if (in.b >= 0) step.b = where[in.b].at;
    step.mix = static_cast<std::uint8_t>((in.a >= 0 && !where[in.a].point ? 2 : 0) |
                                         (in.b >= 0 && !where[in.b].point ? 1 : 0));
    if (in.op == Op::LogSumExp) {
      step.index = static_cast<std::int32_t>(out.step_lists.size());
      step.count = in.count;
      for (int k = 0; k < in.count; ++k) out.step_lists.push_back(where[out.lists[in.index + k]]);
    }
    // The result never shares a slot with an operand (operands dying here free theirs after):
    // evaluate() reads operands through references while it stores the result.
    const int bank = in.point ? 0 : 1;
    step.dst = static_cast<std::int16_t>(take(bank, true));
    operands(out, in, [&](int j) {
      if (temporary[j] && last_use[j] == i) {
        auto& pool = free_slots[where[j].point ? 0 : 1];
        if (std::find(pool.begin(), pool.end(), where[j].at) == pool.end())
          pool.push_back(where[j].at);
      }
    });
    where[i] = {step.dst, in.point};
    temporary[i] = true;
    out.steps.push_back(step);
  }
  out.result = where[m - 1];
  out.point_slots = used[0];
  out.param_slots = used[1];
  out.reads_param.assign(n_params, false);
  for (int k = 0; k < n_params; ++k) out.reads_param[k] = (reads[m - 1] >> k) & 1u;
  t = std::move(out);
}

Tape build_tape(const std::vector<bool>& log_param, bool x_signed,
                const std::function<int(Emitter&)>& body) {
  Tape t;
  Emitter e(t, log_param, x_signed);
  const int result = body(e);
  finish(t, result, static_cast<int>(log_param.size()));
  return t;
}

// ---- parameters -----------------------------------------------------------------------------

// Typical values in the solver's space, by role: the default grid when no bounds are given.
std::vector<double> typical_grid(Role role, bool log) {
  if (log) return {-2, 3, 8};  // scales e^-2 .. e^8, around the built-in laws' A, B, E
  if (role == Role::Exponent) return {0.1, 0.3, 0.6};
  return {-1, 0, 1};
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

ParamSpec solver_param(const ParameterSpec& user, Role role, int grid_points,
                       const std::string& where) {
  const bool log = user.log.value_or(role == Role::Scale);
  auto fail = [&](const std::string& why) {
    throw InputError(where + ": parameter '" + user.name + "': " + why);
  };
  auto to_solver = [&](double v, const char* field) {
    if (!std::isfinite(v)) fail(std::string(field) + " must be a finite number");
    if (!log) return v;
    if (!(v > 0))
      fail(std::string(field) + " is " + fmt(v) +
           ", but the parameter is fitted as its logarithm and must stay positive (set "
           "\"log\": false to fit it directly)");
    return std::log(v);
  };
  ParamSpec p;
  p.name = log ? "ln_" + user.name : user.name;
  p.reported_name = user.name;
  p.reported = log ? Reported::Exp : Reported::AsIs;
  // Default boxes: scales e^-40 .. e^40; exponents 0 .. 5 (powers written as decays,
  // A / N^alpha, as in the built-in laws); anything else -1e6 .. 1e6.
  const double default_lo = log ? -40 : role == Role::Exponent ? 0 : -1e6;
  const double default_hi = log ? 40 : role == Role::Exponent ? 5 : 1e6;
  p.lo = user.min ? to_solver(*user.min, "min") : default_lo;
  p.hi = user.max ? to_solver(*user.max, "max") : default_hi;
  if (!(p.lo < p.hi)) fail("min must be below max");
  for (double v : user.grid) {
    const double s = to_solver(v, "a grid value");
    if (s < p.lo || s > p.hi) fail("grid value " + fmt(v) + " is outside [min, max]");
    p.grid.push_back(s);
  }
  if (p.grid.empty()) {
    // Evenly inside a box the user gave; the role's typical values (kept in the box) else.
    if (user.min || user.max) {
      for (int k = 0; k < grid_points; ++k)
        p.grid.push_back(p.lo + (p.hi - p.lo) * (k + 0.5) / grid_points);
    } else {
      std::vector<double> typical = typical_grid(role, log);
      if (grid_points == 2) typical = {typical.front(), typical.back()};
      for (double v : typical) p.grid.push_back(std::min(std::max(v, p.lo), p.hi));
      p.grid.erase(std::unique(p.grid.begin(), p.grid.end()), p.grid.end());
    }
  }
  p.fixed_value = user.start ? to_solver(*user.start, "start") : p.grid[p.grid.size() / 2];
  if (p.fixed_value < p.lo || p.fixed_value > p.hi) fail("start is outside [min, max]");
  return p;
}

// The start search of a law with parameters fitted as themselves, not a power's exponent, that
// have neither bounds nor a grid, where a grid of typical values (typical_grid) may miss the
// answer by orders of magnitude (NIST's MGH10 has b2 = 6181, Misra1a b2 = 5.5e-4): each such
// parameter at its default (or 1) times 10^u with u uniform over +-kSearchDecades and, unless
// fitted as a logarithm, either sign; exponents uniform over their box; parameters with bounds
// uniform inside them, with a grid one of its values.
std::vector<SearchAxis> search_axes(const std::vector<ParamSpec>& params,
                                    const std::vector<Role>& roles,
                                    const std::vector<ParameterSpec>& user) {
  std::vector<SearchAxis> axes;
  for (std::size_t k = 0; k < params.size(); ++k) {
    const ParamSpec& q = params[k];
    SearchAxis a;
    a.lo = q.lo;
    a.hi = q.hi;
    if (!user[k].grid.empty()) {
      a.kind = SearchAxis::Kind::Grid;
      a.grid = q.grid;
    } else if (user[k].min || user[k].max || roles[k] == Role::Exponent) {
      a.kind = SearchAxis::Kind::Uniform;
    } else if (q.reported == Reported::Exp) {
      a.kind = SearchAxis::Kind::LogDecades;
      a.center = q.fixed_value;
    } else {
      a.kind = SearchAxis::Kind::Decades;
      a.center = q.fixed_value != 0 ? std::fabs(q.fixed_value) : 1.0;
    }
    axes.push_back(std::move(a));
  }
  return axes;
}

// ---- separability ---------------------------------------------------------------------------

int count_parameter(const Node& n, int k) {
  int c = n.kind == Kind::Parameter && n.index == k;
  for (const Node& a : n.args) c += count_parameter(a, k);
  return c;
}

Node with_parameter_one(Node n, int k) {
  if (n.kind == Kind::Parameter && n.index == k) {
    Node one;
    one.kind = Kind::Number;
    one.number = 1;
    one.position = n.position;
    return one;
  }
  for (Node& a : n.args) a = with_parameter_one(std::move(a), k);
  return n;
}

// L = sum_k c_k phi_k: a sum of terms, each with its own log-fitted coefficient as a direct
// factor that appears nowhere else; at most SeparableForm::kMaxTerms terms and three other
// parameters (the search is a grid over them).
std::optional<Separable> find_separable(const Expression& e, const std::vector<bool>& log_param,
                                        const std::vector<ParamSpec>& params) {
  const Node& root = e.root;
  if (root.kind != Kind::Sum || root.args.size() > SeparableForm::kMaxTerms) return std::nullopt;
  Separable s;
  std::vector<bool> is_coef(params.size(), false);
  for (std::size_t t = 0; t < root.args.size(); ++t) {
    if (root.inverse[t]) return std::nullopt;
    const Node& term = root.args[t];
    std::vector<const Node*> factors;
    if (term.kind == Kind::Product) {
      for (std::size_t f = 0; f < term.args.size(); ++f)
        if (!term.inverse[f]) factors.push_back(&term.args[f]);
    } else {
      factors.push_back(&term);
    }
    int coef = -1;
    for (const Node* f : factors)
      if (f->kind == Kind::Parameter && log_param[f->index] && count_parameter(root, f->index) == 1) {
        coef = f->index;
        break;
      }
    if (coef < 0) return std::nullopt;
    s.coef_params.push_back(coef);
    is_coef[coef] = true;
  }
  std::vector<int> theta;
  for (std::size_t k = 0; k < params.size(); ++k)
    if (!is_coef[k]) theta.push_back(static_cast<int>(k));
  if (theta.empty() || theta.size() > 3) return std::nullopt;
  // About 2500 grid points in all, as chinchilla's 50 x 50 exponent grid.
  const int per_axis = static_cast<int>(std::lround(std::pow(2500.0, 1.0 / theta.size())));
  for (int k : theta) {
    const ParamSpec& p = params[k];
    // Exponents over 0.05 .. 2.5 (where the built-in laws' exponents live) inside their box;
    // anything else over its box.
    double lo = p.lo, hi = p.hi;
    if (p.reported == Reported::AsIs && p.lo <= 0.05 && p.hi >= 2.5) {
      lo = 0.05;
      hi = 2.5;
    }
    if (!(std::isfinite(lo) && std::isfinite(hi) && hi - lo < 1e3)) return std::nullopt;
    s.theta.push_back({k, lo, hi, (hi - lo) / (per_axis - 1)});
  }
  return s;
}

// ---- linear parameters ----------------------------------------------------------------------

Node number_node(double value, std::size_t position) {
  Node n;
  n.kind = Kind::Number;
  n.number = value;
  n.position = position;
  return n;
}

// The degree of n as a polynomial in the parameters marked in `coef`, where that degree is 0 or
// 1; 2 stands for anything else (a product of two, a division by one, one inside a call).
int coefficient_degree(const Node& n, const std::vector<bool>& coef) {
  switch (n.kind) {
    case Kind::Number:
    case Kind::Variable: return 0;
    case Kind::Parameter: return coef[n.index] ? 1 : 0;
    case Kind::Sum:
    case Kind::Negate: {
      int degree = 0;
      for (const Node& a : n.args) degree = std::max(degree, coefficient_degree(a, coef));
      return degree;
    }
    case Kind::Product: {
      int degree = 0;
      for (std::size_t i = 0; i < n.args.size(); ++i) {
        const int d = coefficient_degree(n.args[i], coef);
        degree += n.inverse[i] && d > 0 ? 2 : d;
      }
      return std::min(degree, 2);
    }
    case Kind::Power:
    case Kind::Call: {
      int degree = 0;
      for (const Node& a : n.args) degree = std::max(degree, coefficient_degree(a, coef));
      return degree > 0 ? 2 : 0;
    }
  }
  return 2;
}

// dL/dc for a parameter c that L is linear in: the path from the root down to c with c made 1,
// the terms beside it dropped and the factors beside it kept.
Node coefficient_of(const Node& n, int k) {
  if (n.kind == Kind::Parameter) return number_node(1, n.position);
  Node out = n;
  for (std::size_t i = 0; i < n.args.size(); ++i) {
    if (!count_parameter(n.args[i], k)) continue;
    Node inner = coefficient_of(n.args[i], k);
    if (n.kind == Kind::Product) {
      out.args[i] = std::move(inner);
      return out;
    }
    if (n.kind == Kind::Negate || (n.kind == Kind::Sum && n.inverse[i])) {
      Node negate;
      negate.kind = Kind::Negate;
      negate.position = n.position;
      negate.args.push_back(std::move(inner));
      return negate;
    }
    return inner;  // an added term of a Sum
  }
  return number_node(0, n.position);
}

Node with_parameters_zero(Node n, const std::vector<bool>& coef) {
  if (n.kind == Kind::Parameter && coef[n.index]) return number_node(0, n.position);
  for (Node& a : n.args) a = with_parameters_zero(std::move(a), coef);
  return n;
}

// The parameters fitted as themselves (not as logarithms) that L is jointly linear in, taken in
// order while L stays linear in all taken so far (of b1*b2*x only b1), and the tapes of the
// affine form they give L (LinearPart).
std::optional<LinearPart> find_linear_part(const Expression& e, const std::vector<bool>& log_param,
                                           bool x_signed) {
  const int n_params = static_cast<int>(log_param.size());
  std::vector<bool> coef(n_params, false);
  LinearPart part;
  for (int k = 0; k < n_params; ++k) {
    if (log_param[k]) continue;
    coef[k] = true;
    if (coefficient_degree(e.root, coef) <= 1) part.coef_params.push_back(k);
    else coef[k] = false;
  }
  if (part.coef_params.empty()) return std::nullopt;
  for (int k = 0; k < n_params; ++k)
    if (!coef[k]) part.theta.push_back(k);
  for (int k : part.coef_params) {
    // The factors beside c_k do not contain another coefficient (degree 1), so this node is
    // dL/dc_k itself.
    const Node basis = with_parameters_zero(coefficient_of(e.root, k), coef);
    part.basis.push_back(
        build_tape(log_param, x_signed, [&](Emitter& em) { return em.value_of(basis); }));
  }
  const Node offset = with_parameters_zero(e.root, coef);
  part.offset = build_tape(log_param, x_signed, [&](Emitter& em) { return em.value_of(offset); });
  return part;
}

// Renames the columns the formula reads to the solver's free per-row values (ColumnBinding).
ColumnBinding bind_columns(Expression& e, const LawSpec& spec) {
  ColumnBinding b;
  b.uses_n = e.uses_n;
  b.uses_d = e.uses_d;
  b.uses_x = e.uses_x;
  std::vector<int> slot_of(e.columns.size(), -1);
  for (std::size_t k = 0; k < e.columns.size(); ++k) {
    if (!e.uses_column[k]) continue;
    const std::string& name = e.columns[k];
    if (!b.uses_x) {
      b.uses_x = true, b.x = name, slot_of[k] = kVariableX;
    } else if (!b.uses_n) {
      b.uses_n = true, b.n = name, slot_of[k] = kVariableN;
    } else if (!b.uses_d) {
      b.uses_d = true, b.d = name, slot_of[k] = kVariableD;
    } else {
      std::vector<std::string> read;
      if (e.uses_n) read.push_back("N");
      if (e.uses_d) read.push_back("D");
      if (e.uses_x) read.push_back("x");
      for (std::size_t j = 0; j < e.columns.size(); ++j)
        if (e.uses_column[j]) read.push_back(e.columns[j]);
      throw InputError(spec.where + ": the formula reads " + std::to_string(read.size()) +
                       " data variables (" + io::join_names(read) +
                       "); a law can read at most three per row");
    }
  }
  std::function<void(Node&)> rename = [&](Node& n) {
    if (n.kind == Kind::Variable && n.index >= kFirstColumn) n.index = slot_of[n.index - kFirstColumn];
    for (Node& a : n.args) rename(a);
  };
  rename(e.root);
  return b;
}

}  // namespace

std::shared_ptr<const CompiledLaw> compile(const LawSpec& spec) {
  auto law = std::make_shared<CompiledLaw>();
  ParseOptions po;
  po.columns = spec.columns;
  po.what = spec.where;
  const bool declared = !spec.parameters.empty();
  if (declared) {
    std::vector<std::string> names;
    for (const ParameterSpec& p : spec.parameters) {
      if (std::find(names.begin(), names.end(), p.name) != names.end())
        throw InputError(spec.source + ": parameter '" + p.name + "' is listed twice");
      names.push_back(p.name);
    }
    po.parameters = names;
  }
  if (spec.columns.size() > kMaxColumns)
    throw InputError(spec.source + ": " + std::to_string(spec.columns.size()) +
                     " further columns; a law may read at most " + std::to_string(kMaxColumns));
  law->expression = parse(spec.formula, po);
  law->columns = bind_columns(law->expression, spec);
  const ColumnBinding& binding = law->columns;
  const Expression& e = law->expression;
  const int n_params = static_cast<int>(e.parameters.size());
  if (n_params == 0)
    throw InputError(spec.where + ": the formula has no parameters to fit (every name in it is "
                     "a variable: N, D, x" +
                     (spec.columns.empty() ? std::string() : " or a column") + ")");
  if (n_params > kMaxParams)
    throw InputError(spec.where + ": the formula has " + std::to_string(n_params) +
                     " parameters (" + io::join_names(e.parameters) + "); at most " +
                     std::to_string(kMaxParams) + " can be fitted");
  law->roles = roles_of(e);
  // Start grids of at most a few hundred points, as the built-in laws' (chinchilla 3^5 = 243,
  // shannon 2^8 = 256): the Shannon formula's 3^8 = 6561 starts took 25 times longer than its
  // 256 and reached the same optimum on the Epoch Chinchilla data.
  const int grid_points = n_params <= 5 ? 3 : 2;
  std::vector<bool> log_param(n_params);
  for (int k = 0; k < n_params; ++k) {
    ParameterSpec user;
    user.name = e.parameters[k];
    if (declared) user = spec.parameters[k];
    const ParamSpec p = solver_param(user, law->roles[k], grid_points, spec.source);
    log_param[k] = p.reported == Reported::Exp;
    law->info.params.push_back(p);
  }
  {
    std::vector<ParameterSpec> user(n_params);
    bool search = false;
    for (int k = 0; k < n_params; ++k) {
      if (declared) user[k] = spec.parameters[k];
      search = search || (!user[k].min && !user[k].max && user[k].grid.empty() &&
                          !log_param[k] && law->roles[k] != Role::Exponent);
    }
    if (search) {
      law->search = search_axes(law->info.params, law->roles, user);
      law->starts = scattered_starts(*law, kDefaultSearchStarts);
    }
  }
  for (int k = 0; k < n_params; ++k)
    if (declared && count_parameter(e.root, k) == 0)
      throw InputError(spec.source + ": parameter '" + e.parameters[k] +
                       "' is listed but the formula does not use it");
  const bool x_signed = !binding.x.empty();
  law->tape = build_tape(log_param, x_signed, [&](Emitter& em) { return em.root(e.root); });
  law->value = build_tape(log_param, x_signed, [&](Emitter& em) { return em.value_of(e.root); });
  if (auto s = find_separable(e, log_param, law->info.params)) {
    for (int coef : s->coef_params) {
      // phi_k: the term with its coefficient 1, one tape over all parameters.
      const Node* term = nullptr;
      for (const Node& t : e.root.args)
        if (count_parameter(t, coef)) term = &t;
      const Node basis = with_parameter_one(*term, coef);
      s->basis.push_back(
          build_tape(log_param, x_signed, [&](Emitter& em) { return em.value_of(basis); }));
    }
    law->separable = std::move(*s);
  }
  law->linear = find_linear_part(e, log_param, x_signed);
  law->space = spec.space;
  LawInfo& info = law->info;
  info.name = spec.name;
  info.formula = spec.formula;
  info.source = spec.citation.empty() ? "formula given by the user" : spec.citation;
  // x from --perturbation; a column in its place is read as the law names it.
  info.needs = e.uses_x ? Needs::Perturbation : Needs::Nothing;
  // One distinct value of a variable cannot show how the law depends on it; a law file states
  // the real minimum (law.hpp's MinDistinct).
  info.min_distinct = spec.min_distinct.value_or(
      MinDistinct{binding.uses_n ? 2 : 0, binding.uses_d ? 2 : 0, binding.uses_x ? 2 : 0});
  std::string logs;
  for (const ParamSpec& p : info.params)
    if (p.reported == Reported::Exp) logs += (logs.empty() ? "" : ", ") + p.reported_name;
  if (!logs.empty()) info.note = "fitted as logarithms: " + logs;
  return law;
}

double SearchAxis::value(double u, double sign_draw) const {
  double v = center;
  switch (kind) {
    case Kind::Grid:
      v = grid[std::min(grid.size() - 1, static_cast<std::size_t>(u * grid.size()))];
      break;
    case Kind::Uniform: v = lo + u * (hi - lo); break;
    case Kind::LogDecades: v = center + kSearchDecades * (2 * u - 1) * std::log(10.0); break;
    case Kind::Decades:
      v = (sign_draw < 0.5 ? -1 : 1) * center * std::pow(10.0, kSearchDecades * (2 * u - 1));
      break;
  }
  return std::min(std::max(v, lo), hi);
}

std::vector<double> SearchAxis::scan(int points) const {
  std::vector<double> out;
  if (kind == Kind::Grid) return grid;
  const int half = points / 2;
  for (int i = 0; i < points; ++i) {
    const double u = kind == Kind::Decades ? (i % half + 0.5) / half : (i + 0.5) / points;
    out.push_back(value(u, i < half ? 1.0 : 0.0));
  }
  return out;
}

std::vector<double> scattered_starts(const CompiledLaw& law, int count) {
  std::uint64_t state = 0x5eed5eed5eed5eedull;
  auto uniform = [&state] {  // splitmix64, as a double in [0, 1)
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  };
  std::vector<double> starts;
  for (const ParamSpec& q : law.info.params) starts.push_back(q.fixed_value);
  for (int s = 1; s < count; ++s) {
    for (const SearchAxis& a : law.search) {
      const double u = uniform();
      starts.push_back(a.value(u, a.kind == SearchAxis::Kind::Decades ? uniform() : 0.0));
    }
  }
  return starts;
}

void separable_basis(const CompiledLaw& law, const double* theta, double ln_n, double ln_d,
                     double x, double* phi) {
  double params[kMaxParams] = {};
  const Separable& s = *law.separable;
  for (std::size_t j = 0; j < s.theta.size(); ++j) params[s.theta[j].param] = theta[j];
  for (std::size_t k = 0; k < s.basis.size(); ++k)
    phi[k] = evaluate<double, double>(s.basis[k], params, ln_n, ln_d, x);
}

}  // namespace shannonfit::formula

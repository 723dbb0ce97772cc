#pragma once
// A compiled formula: straight-line instructions over two banks of slots, one for values that
// depend on the point only (the number type S of a law's ln N, ln D, x) and one for values that
// depend on the parameters (T: a double, a Jet, a Jet over lanes). Keeping point-only values in
// S lets a Jet meet them through Jet-times-scalar operations, as a hand-written law does.
// No branches: min, max and the zero-safe power pick per lane (evaluate.hpp).
#include <cstdint>
#include <utility>
#include <vector>

namespace shannonfit::formula {

enum class Op : std::uint8_t {
  Const,        // c
  Param,        // p[index]
  LnN,          // ln N
  LnD,          // ln D
  X,            // x
  Column,       // column[index]
  Add, Sub, Mul, Div,
  Neg, Exp, Log, Log1p, Sqrt,
  Cos, Sin, Atan,
  Min, Max,
  PowData,      // a^b for a point value a >= 0: 0 where a = 0 (zero derivatives), else e^(b ln a)
  LogSumExp,    // ln sum_k e^(list[index + k]), k < count
  LogLog1pExp,  // ln ln(1 + e^a) (shannon.hpp's log_log1p_exp)
};

// Operand banks of a binary step: which of a and b are point values (S).
enum Mix : std::uint8_t { kMixSS = 0, kMixST = 1, kMixTS = 2, kMixTT = 3 };

// One operation as the compiler builds it: operands are earlier instructions. What code
// generation and the checks read.
struct Instr {
  Op op = Op::Const;
  bool point = false;  // the result is a point value (S bank), else a parameter value (T)
  std::uint8_t mix = kMixTT;
  std::int32_t a = -1, b = -1;  // operand instructions
  std::int32_t index = 0;       // Param, Column: which; LogSumExp: offset in Tape::lists
  std::int32_t count = 0;       // LogSumExp: terms
  double c = 0;                 // Const
};

// A reference to a value as evaluation reads it: a slot of the S bank, a slot of the T bank
// (>= 0) or a parameter p[k] itself (encoded ~k, < 0), so parameters are never copied.
struct Ref {
  std::int32_t at = 0;
  bool point = false;
};

// One operation as evaluation runs it: the operations that compute something (inputs, constants
// and parameters are preloaded slots or read in place), operands already resolved to slots.
struct Step {
  Op op = Op::Add;
  std::uint8_t mix = kMixTT;
  bool point = false;
  std::int16_t dst = 0;        // slot in the result's bank
  std::int32_t a = 0, b = 0;   // Ref::at of the operands
  std::int32_t index = 0;      // LogSumExp: offset in Tape::step_lists
  std::int32_t count = 0;
};

struct Tape {
  // Slots per bank: registers are reused once their value is dead, so real formulas use a few;
  // a formula that needs more is refused.
  static constexpr int kMaxSlots = 64;
  static constexpr int kMaxLength = 2048;
  // S bank slots kInputSlots.. hold ln N, ln D, x, then the columns, then the constants.
  static constexpr int kLnNSlot = 0, kLnDSlot = 1, kXSlot = 2, kFirstColumnSlot = 3;

  std::vector<Instr> code;          // the last instruction is the result
  std::vector<std::int32_t> lists;  // LogSumExp operands (instruction indices)
  int n_params = 0;
  int n_columns = 0;
  // Which parameters the result depends on through any instruction.
  std::vector<bool> reads_param;

  // The lowered form evaluate() runs.
  std::vector<Step> steps;
  std::vector<Ref> step_lists;                        // LogSumExp operands
  std::vector<std::pair<std::int16_t, double>> constants;  // S slots preloaded with constants
  Ref result;
  int point_slots = 0, param_slots = 0;
};

}  // namespace shannonfit::formula

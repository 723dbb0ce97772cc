#pragma once
// A compiled formula: straight-line instructions over two banks of slots, one for values that
// depend on the point only (the number type S of a law's ln N, ln D, x) and one for values that
// depend on the parameters (T: a double, a Jet, a Jet over lanes). Keeping point-only values in
// S lets a Jet meet them through Jet-times-scalar operations, as a hand-written law does.
// No branches: min, max and the zero-safe power pick per lane (evaluate.hpp).
#include <cstdint>
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
  Min, Max,
  PowData,      // a^b for a point value a >= 0: 0 where a = 0 (zero derivatives), else e^(b ln a)
  LogSumExp,    // ln sum_k e^(list[index + k]), k < count
  LogLog1pExp,  // ln ln(1 + e^a) (shannon.hpp's log_log1p_exp)
};

// Operand banks of a binary instruction: which of a and b are point values (S).
enum Mix : std::uint8_t { kMixSS = 0, kMixST = 1, kMixTS = 2, kMixTT = 3 };

struct Instr {
  Op op = Op::Const;
  bool point = false;  // the result is a point value (S bank), else a parameter value (T)
  std::uint8_t mix = kMixTT;
  std::int16_t dst = 0;      // slot in the result's bank
  std::int32_t a = -1, b = -1;  // operand instructions
  std::int32_t index = 0;    // Param, Column: which; LogSumExp: offset in Tape::lists
  std::int32_t count = 0;    // LogSumExp: terms
  double c = 0;              // Const
};

struct Tape {
  // Slots per bank: registers are reused once their value is dead, so real formulas use a few
  // (the nine-parameter Shannon law: 9 parameter slots); a formula that needs more is refused.
  static constexpr int kMaxSlots = 48;
  static constexpr int kMaxLength = 2048;
  std::vector<Instr> code;       // the last instruction is the result
  std::vector<std::int32_t> lists;  // LogSumExp operands (instruction indices)
  std::vector<std::int16_t> slot_of;  // each instruction's slot (Instr::dst)
  int n_params = 0;
  int n_columns = 0;
  int point_slots = 0, param_slots = 0;
  // Which parameters the result depends on through any instruction.
  std::vector<bool> reads_param;
};

}  // namespace shannonfit::formula

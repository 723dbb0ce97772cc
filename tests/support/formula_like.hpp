#pragma once
// A built-in law written as a formula, for tests that hold formula laws to the built-in ones.
#include <cmath>
#include <string>

#include "shannonfit/batch.hpp"
#include "shannonfit/formula/formula.hpp"

namespace shannonfit::testing {

// The built-in law's parameters as a law file states them, in the units users read: the same
// box and start grid, so both laws start from the same points (to the rounding of exp and log).
inline formula::LawSpec spec_like(const LawInfo& info, const std::string& text) {
  formula::LawSpec spec;
  spec.name = info.name + "-formula";
  spec.formula = text;
  for (const ParamSpec& b : info.params) {
    const bool log = b.reported == Reported::Exp;
    auto user = [&](double v) { return log ? std::exp(v) : v; };
    formula::ParameterSpec p;
    p.name = b.reported_name;
    p.log = log;
    p.min = user(b.lo);
    p.max = user(b.hi);
    for (double g : b.grid) p.grid.push_back(user(g));
    p.start = user(b.fixed_value);
    spec.parameters.push_back(p);
  }
  return spec;
}

}  // namespace shannonfit::testing

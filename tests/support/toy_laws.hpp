#pragma once
// Test-only laws whose fits can be computed by hand: registered nowhere, wrapped in a LawEntry
// that runs the real CPU batch driver.
#include <cmath>

#include "cpu/batch_cpu.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit::testing {

// ln L̂ = c: the least-squares fit is the mean of ln L over the weighted rows.
struct ConstantLaw {
  static constexpr int kParams = 1;
  template <class T, class S>
  SF_HD static T log_loss(const T* p, S, S, S) { return p[0]; }
  static LawInfo info() {
    return {"constant", "ln L = c", "test", {{"c", "c", Reported::AsIs, -50, 50, {0}, 0}},
            Needs::Nothing, ""};
  }
};

// ln L̂ = c + s ln N: a straight line in ln N.
struct LineLaw {
  static constexpr int kParams = 2;
  template <class T, class S>
  SF_HD static T log_loss(const T* p, S ln_n, S, S) { return p[0] + p[1] * ln_n; }
  static LawInfo info() {
    return {"line", "ln L = c + s ln N", "test",
            {{"c", "c", Reported::AsIs, -50, 50, {0}, 0}, {"s", "s", Reported::AsIs, -5, 5, {0}, 0}},
            Needs::Nothing, ""};
  }
};

// ln L̂ = c + s (ln D − m)²: for s > 0, a loss basin at D = e^m.
struct BasinLaw {
  static constexpr int kParams = 3;
  template <class T, class S>
  SF_HD static T log_loss(const T* p, S, S ln_d, S) { return p[0] + p[1] * (ln_d - p[2]) * (ln_d - p[2]); }
  static LawInfo info() {
    return {"basin", "ln L = c + s (ln D - m)^2", "test",
            {{"c", "c", Reported::AsIs, -50, 50, {0}, 0}, {"s", "s", Reported::AsIs, -5, 5, {0}, 0},
             {"m", "m", Reported::AsIs, 0, 50, {25}, 25}},
            Needs::Nothing, ""};
  }
};

template <class Law>
LawEntry toy_entry() {
  return {Law::info(), Law::kParams, &cpu::fit_batch<Law>, &cpu::fit_batch<Law>, nullptr,
          &law_log_loss<Law>, &law_log_loss_gradient<Law>};
}

}  // namespace shannonfit::testing

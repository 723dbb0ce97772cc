#pragma once
// Exact binomial tails for statistical tests: the acceptance band of a count and its error rates.
#include <cmath>

namespace shannonfit::testing {

// P(X = k) for X ~ Binomial(n, p), from logs (n in the thousands overflows the coefficients).
inline double binomial_pmf(int n, double p, int k) {
  if (p <= 0) return k == 0 ? 1.0 : 0.0;
  if (p >= 1) return k == n ? 1.0 : 0.0;
  return std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) +
                  k * std::log(p) + (n - k) * std::log1p(-p));
}

// Counts a test accepts: lo ≤ X ≤ hi.
struct BinomialBand {
  int lo = 0, hi = 0;
};

// The narrowest band with P(X < lo) ≤ alpha/2 and P(X > hi) ≤ alpha/2 under Binomial(n, p0).
inline BinomialBand acceptance_band(int n, double p0, double alpha) {
  BinomialBand b{0, n};
  double below = 0;
  while (b.lo < n && below + binomial_pmf(n, p0, b.lo) <= alpha / 2) below += binomial_pmf(n, p0, b.lo++);
  double above = 0;
  while (b.hi > 0 && above + binomial_pmf(n, p0, b.hi) <= alpha / 2) above += binomial_pmf(n, p0, b.hi--);
  return b;
}

// P(X outside the band) under Binomial(n, p): the false-alarm rate at p0, the power elsewhere.
inline double binomial_outside(int n, double p, const BinomialBand& band) {
  double inside = 0;
  for (int k = band.lo; k <= band.hi; ++k) inside += binomial_pmf(n, p, k);
  return 1 - inside;
}

}  // namespace shannonfit::testing

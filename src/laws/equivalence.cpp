// The registry's declaration of which laws are one function (see equivalence.hpp). Kept out of
// registry.cpp, which instantiates every law's solver.
#include "laws/equivalence.hpp"

#include <cmath>
#include <utility>

namespace shannonfit {

namespace {
// alias -> the law whose function it computes. chinchilla-plain fits E, A, B directly where
// chinchilla fits their logarithms (include/shannonfit/laws/chinchilla.hpp); every other law
// is a function of its own.
const std::pair<const char*, const char*> kSameFunction[] = {{"chinchilla-plain", "chinchilla"}};
}  // namespace

const std::string& candidate_name(const LawEntry& law) {
  for (const auto& [alias, canonical] : kSameFunction)
    if (law.info.name == alias) return find_law(canonical).info.name;
  return law.info.name;
}

bool same_function(const LawEntry& a, const LawEntry& b) {
  return candidate_name(a) == candidate_name(b);
}

bool same_predictions(const FittedLaw& a, const FittedLaw& b, const Dataset& data) {
  if (!a.params || !b.params) return false;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const double ln_n = std::log(data.n[i]), ln_d = std::log(data.d[i]);
    const double x = data.has_x() ? data.x[i] : 0.0;
    const double pa = a.law->log_loss(a.params, ln_n, ln_d, x);
    const double pb = b.law->log_loss(b.params, ln_n, ln_d, x);
    if (!(std::abs(pa - pb) <= kSamePredictionTolerance)) return false;
  }
  return data.size() > 0;
}

std::vector<std::size_t> fitted_candidates(const std::vector<FittedLaw>& laws,
                                           const Dataset& data) {
  std::vector<std::size_t> candidate(laws.size());
  for (std::size_t l = 0; l < laws.size(); ++l) {
    candidate[l] = l;
    for (std::size_t k = 0; k < l; ++k)
      if (same_function(*laws[k].law, *laws[l].law) || same_predictions(laws[k], laws[l], data)) {
        candidate[l] = candidate[k];
        break;
      }
  }
  return candidate;
}

}  // namespace shannonfit

// The registry's declaration of which laws are one function (see equivalence.hpp). Kept out of
// registry.cpp, which instantiates every law's solver.
#include "laws/equivalence.hpp"

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

}  // namespace shannonfit

// The law registry: every law in SF_FOR_EACH_LAW, in that order. Each law's entry is compiled
// in its own translation unit (law_entry.hpp).
#include <stdexcept>
#include <string>
#include <vector>

#include "laws/law_entry.hpp"
#include "shannonfit/laws/all.hpp"

namespace shannonfit {

// A separable form must name each parameter at most once, as theta or as a coefficient, and
// search theta inside the parameter's box.
void check_separable(const LawInfo& info, const SeparableForm& form) {
  auto fail = [&](const std::string& why) {
    throw std::logic_error("law " + info.name + ": separable form " + why);
  };
  const int p = static_cast<int>(info.params.size());
  if (form.coef_params.empty() || form.coef_params.size() > SeparableForm::kMaxTerms ||
      form.theta.empty() || !form.basis)
    fail("needs 1 to " + std::to_string(SeparableForm::kMaxTerms) +
         " coefficients, a theta axis and a basis");
  std::vector<int> uses(p, 0);
  for (int k : form.coef_params)
    if (k < 0 || k >= p || uses[k]++) fail("names a coefficient parameter badly");
  for (const auto& axis : form.theta) {
    if (axis.param < 0 || axis.param >= p || uses[axis.param]++) fail("names a theta parameter badly");
    const ParamSpec& spec = info.params[axis.param];
    if (!(axis.step > 0) || axis.lo > axis.hi || axis.lo < spec.lo || axis.hi > spec.hi)
      fail("searches " + spec.name + " outside its box or with a bad step");
  }
}

namespace {

std::vector<LawEntry> build_registry() {
  std::vector<LawEntry> laws;
#define SF_REGISTER(Law) laws.push_back(law_entry<Law>());
  SF_FOR_EACH_LAW(SF_REGISTER)
#undef SF_REGISTER
  return laws;
}

}  // namespace

const std::vector<LawEntry>& all_laws() {
  static const std::vector<LawEntry> laws = build_registry();
  return laws;
}

const LawEntry& find_law(const std::string& name) {
  std::string known;
  for (const auto& law : all_laws()) {
    if (law.info.name == name) return law;
    known += (known.empty() ? "" : ", ") + law.info.name;
  }
  throw std::invalid_argument("unknown law '" + name + "' (known: " + known + ")");
}

}  // namespace shannonfit

// The law registry: every law in SF_FOR_EACH_LAW, in that order, and the formula laws the
// process has resolved. Each built-in law's entry is compiled in its own translation unit
// (law_entry.hpp), the formula laws' solvers in one per parameter count (formula_entry.hpp).
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "laws/formula_entry.hpp"
#include "laws/law_entry.hpp"
#include "shannonfit/errors.hpp"
#include "shannonfit/formula/formula.hpp"
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

// The formula laws made so far, under their names. A deque, so the entries handed out stay
// where they are as more are added.
struct FormulaLaws {
  std::mutex mutex;
  std::deque<LawEntry> entries;
};

FormulaLaws& formula_laws() {
  static FormulaLaws laws;
  return laws;
}

const LawEntry* find_formula_law(const std::string& name) {
  FormulaLaws& laws = formula_laws();
  const std::lock_guard<std::mutex> lock(laws.mutex);
  for (const LawEntry& law : laws.entries)
    if (law.info.name == name) return &law;
  return nullptr;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
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
  if (const LawEntry* law = find_formula_law(name)) return *law;
  throw std::invalid_argument("unknown law '" + name + "' (known: " + known +
                              "; or write 'name: formula', or give a *.json law file)");
}

const LawEntry& resolve_law(const std::string& argument) {
  formula::LawSpec spec;
  if (ends_with(argument, ".json"))
    spec = formula::load_law_file(argument);
  else if (argument.find(':') != std::string::npos)
    spec = formula::parse_law_argument(argument);
  else
    return find_law(argument);
  for (const auto& law : all_laws())
    if (law.info.name == spec.name)
      throw InputError(spec.source + ": '" + spec.name +
                       "' is a built-in law's name; give the formula a name of its own");
  auto same_name = [&](const LawEntry& law) -> const LawEntry& {
    if (law.info.formula == spec.formula) return law;
    throw InputError(spec.source + ": a different law named '" + spec.name +
                     "' was given before; give each formula a name of its own");
  };
  if (const LawEntry* law = find_formula_law(spec.name)) return same_name(*law);
  LawEntry entry = make_formula_entry(formula::compile(spec));
  FormulaLaws& laws = formula_laws();
  const std::lock_guard<std::mutex> lock(laws.mutex);
  for (const LawEntry& law : laws.entries)
    if (law.info.name == spec.name) return same_name(law);
  laws.entries.push_back(std::move(entry));
  return laws.entries.back();
}

}  // namespace shannonfit

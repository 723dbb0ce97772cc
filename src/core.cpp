#include <cmath>
#include <iterator>
#include <stdexcept>

#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"
#include "shannonfit/fit_item.hpp"

namespace shannonfit {

std::vector<double> start_grid(const LawInfo& info) {
  const std::size_t p = info.params.size();
  std::size_t count = 1;
  for (const auto& spec : info.params) count *= spec.grid.empty() ? 1 : spec.grid.size();
  std::vector<double> starts(count * p);
  for (std::size_t s = 0; s < count; ++s) {
    std::size_t rest = s;
    // Last parameter varies fastest.
    for (std::size_t k = p; k-- > 0;) {
      const auto& spec = info.params[k];
      if (spec.grid.empty()) {
        starts[s * p + k] = spec.fixed_value;
        continue;
      }
      starts[s * p + k] = spec.grid[rest % spec.grid.size()];
      rest /= spec.grid.size();
    }
  }
  return starts;
}

std::vector<double> single_start(const LawInfo& info) {
  std::vector<double> start;
  for (const auto& spec : info.params) start.push_back(spec.fixed_value);
  return start;
}

PreparedPoints prepare_points(const Dataset& data, Space space) {
  PreparedPoints p;
  const std::size_t n = data.size();
  p.ln_n.resize(n);
  p.ln_d.resize(n);
  p.target.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    p.ln_n[i] = std::log(data.n[i]);
    p.ln_d[i] = std::log(data.d[i]);
    p.target[i] = space == Space::Log ? std::log(data.loss[i]) : data.loss[i];
  }
  if (data.has_x()) p.x = data.x;
  return p;
}

bool better_fit(const FitResult& candidate, const FitResult& incumbent) {
  return precedes(fit_rank(candidate.cost, candidate.best_start),
                  fit_rank(incumbent.cost, incumbent.best_start));
}

const char* to_string(FitStatus s) {
  switch (s) {
    case FitStatus::ConvergedStep: return "converged(step)";
    case FitStatus::ConvergedCost: return "converged(cost)";
    case FitStatus::ConvergedGradient: return "converged(gradient)";
    case FitStatus::MaxIterations: return "max-iterations";
    case FitStatus::NonFinite: return "non-finite";
    case FitStatus::Singular: return "singular";
  }
  return "unknown";
}

namespace {

struct BackendName {
  BackendKind kind;
  const char* name;
};

#define SF_BACKEND_NAME(Kind, driver, name, ...) BackendName{BackendKind::Kind, name},
constexpr BackendName kBackendNames[] = {SF_FOR_EACH_BACKEND(SF_BACKEND_NAME){
    BackendKind::Auto, "auto"}};
#undef SF_BACKEND_NAME

}  // namespace

BackendKind parse_backend(const std::string& name) {
  for (const BackendName& b : kBackendNames)
    if (name == b.name) return b.kind;
  std::string choices;
  for (const BackendName& b : kBackendNames)
    choices += std::string(choices.empty() ? "" : &b == std::end(kBackendNames) - 1 ? " or " : ", ") +
               b.name;
  throw InputError("--backend: unknown backend '" + name + "' (choose " + choices + ")");
}

const char* to_string(BackendKind b) {
  for (const BackendName& n : kBackendNames)
    if (n.kind == b) return n.name;
  return "unknown";
}

const std::vector<std::string>& backend_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const BackendName& b : kBackendNames) all.emplace_back(b.name);
    return all;
  }();
  return names;
}

const char* to_string(Space s) { return s == Space::Log ? "log" : "linear"; }

}  // namespace shannonfit

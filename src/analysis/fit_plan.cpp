#include "analysis/fit_plan.hpp"

#include <cmath>
#include <algorithm>
#include <cstdlib>
#include <limits>

#include "analysis/projected_starts.hpp"
#include "analysis/separable_starts.hpp"
#include "shannonfit/formula/formula.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

const std::vector<std::string>& start_strategy_names() {
  static const std::vector<std::string> names = {"grid", "best", "single", "separable"};
  return names;
}

StartStrategy parse_start_strategy(const std::string& name) {
  if (name == "grid") return StartStrategy::Grid;
  if (name == "best") return StartStrategy::Best;
  if (name == "single") return StartStrategy::Single;
  if (name == "separable") return StartStrategy::Separable;
  throw InputError("--starts: unknown start strategy '" + name +
                   "' (choose grid, best, single or separable)");
}

const char* to_string(StartStrategy s) {
  switch (s) {
    case StartStrategy::Grid: return "grid";
    case StartStrategy::Best: return "best";
    case StartStrategy::Single: return "single";
    case StartStrategy::Separable: return "separable";
  }
  return "unknown";
}

bool parse_loss(const std::string& spec, FitOptions& options) {
  if (spec == "l2") {
    options.loss = LossKind::L2;
    return true;
  }
  if (spec == "huber") {
    options.loss = LossKind::Huber;
    return true;
  }
  if (spec.rfind("huber:", 0) != 0) return false;
  const std::string value = spec.substr(6);
  char* end = nullptr;
  const double delta = std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size() || !(delta > 0) || !std::isfinite(delta))
    return false;
  options.loss = LossKind::Huber;
  options.huber_delta = delta;
  return true;
}

std::vector<double> FitPlan::refit_starts(const FitResult& full) const {
  switch (starts) {
    case StartStrategy::Best:
    case StartStrategy::Single:
      return std::vector<double>(full.params.begin(), full.params.begin() + law->n_params);
    case StartStrategy::Grid: return law->formula ? full_starts : start_grid(law->info);
    case StartStrategy::Separable: break;
  }
  return full_starts;
}

long FitPlan::n_refit_starts() const {
  switch (starts) {
    case StartStrategy::Best:
    case StartStrategy::Single: return 1;
    case StartStrategy::Separable: return separable_start_count(*law->separable, kSeparableStarts);
    case StartStrategy::Grid: break;
  }
  if (law->formula) return n_full_starts();
  return static_cast<long>(start_grid(law->info).size()) / law->n_params;
}

int FitPlan::refit_max_iterations() const {
  if (n_refit_starts() > 1) return options.max_iterations;
  const long scaled = static_cast<long>(options.max_iterations) * kSingleStartIterationFactor;
  return static_cast<int>(std::min<long>(scaled, std::numeric_limits<int>::max()));
}

BatchRequest FitPlan::full_request(const Dataset& data, const std::atomic<bool>* cancel) const {
  BatchRequest req;
  req.data = &data;
  req.starts = full_starts;
  req.options = options;
  req.threads = threads;
  req.cancel = cancel;
  return req;
}

BatchRequest FitPlan::refit_request(const Dataset& data, const std::vector<double>& shared_starts,
                                    const double* weights, const double* targets, long count,
                                    const std::atomic<bool>* cancel) const {
  BatchRequest req = full_request(data, cancel);
  req.weights = weights;
  req.targets = targets;
  req.n_weightings = static_cast<int>(count);
  req.options.max_iterations = refit_max_iterations();
  req.starts_per_weighting = refits_search();
  req.starts = refits_search() ? separable_starts_batch(*law, data, options, weights, targets,
                                                        count, kSeparableStarts, threads)
                               : shared_starts;
  return req;
}

FitPlan make_plan(const LawEntry& law, const Dataset& data, const FitConfig& config) {
  FitPlan plan;
  plan.law = &law;
  plan.backend = select_backend(law, config.backend);
  plan.starts = config.starts;
  plan.options = config.options;
  plan.threads = config.threads;
  if (config.starts == StartStrategy::Separable) require_separable(law);
  const formula::CompiledLaw* f = law.formula.get();
  // A formula law linear in some parameters, fitted on L, gets projected twins of its starts
  // (projected_starts.hpp), and its own search over the others when it has one.
  const bool project = f && f->linear && config.options.space == Space::Linear &&
                       config.starts != StartStrategy::Separable;
  auto with_projections = [&](const std::vector<double>& starts, bool search) {
    if (!project) return starts;
    const PreparedPoints points = prepare_points(data, config.options.space);
    std::vector<double> out = projected_starts(
        *f, points.view(), data.weight.empty() ? nullptr : data.weight.data(), starts, search,
        config.threads);
    plan.n_projected_starts = static_cast<long>(out.size() - starts.size()) / law.n_params;
    return out;
  };
  if (!config.full_starts.empty()) {
    plan.full_starts = with_projections(config.full_starts, false);
    return plan;
  }
  switch (config.starts) {
    case StartStrategy::Grid:
    case StartStrategy::Best:
      plan.full_starts = f && !f->starts.empty() ? with_projections(f->starts, true)
                                                 : with_projections(start_grid(law.info), false);
      break;
    case StartStrategy::Single:
      plan.full_starts = with_projections(single_start(law.info), false);
      break;
    case StartStrategy::Separable: {
      const SeparableForm& form = require_separable(law);
      const PreparedPoints points = prepare_points(data, config.options.space);
      plan.full_starts = separable_starts(law, form, points.view(),
                                         data.weight.empty() ? nullptr : data.weight.data(),
                                         config.options, kSeparableStarts, config.threads);
      break;
    }
  }
  return plan;
}

}  // namespace shannonfit

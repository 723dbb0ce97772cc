// shannonfit._core: the C++ engine for Python. It takes contiguous float64 arrays; the
// pure-Python package (python/shannonfit/) adds DataFrame columns, the CLI's defaults and typed
// results.
// Every batch runs with the GIL released, so notebooks can fit from several threads at once,
// and stops early on Ctrl-C with KeyboardInterrupt (interruptible below).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/analyze.hpp"
#include "analysis/bootstrap.hpp"
#include "analysis/compute_optimal.hpp"
#include "analysis/extrapolation.hpp"
#include "analysis/fit_outcome.hpp"
#include "analysis/fit_stats.hpp"
#include "analysis/law_inputs.hpp"
#include "analysis/prediction.hpp"
#include "analysis/prediction_interval.hpp"
#include "analysis/report.hpp"
#include "analysis/result_json.hpp"
#include "analysis/uncertainty.hpp"
#include "io/csv.hpp"
#include "io/text_table.hpp"
#include "shannonfit/backend.hpp"
#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"

namespace py = pybind11;
using namespace shannonfit;

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::vector<double> to_vector(const Array& a, const char* name) {
  if (a.ndim() != 1)
    throw InputError(std::string(name) + ": expected a 1-D array, got " +
                     std::to_string(a.ndim()) + " dimensions");
  return std::vector<double>(a.data(), a.data() + a.size());
}

// Arrays have no file and line; the index plays that part in every message. `why`, when given,
// says why the values must be positive.
void require(const std::vector<double>& v, const std::string& name, std::size_t rows,
             bool positive, const std::string& rows_of = "n", const std::string& why = "") {
  if (v.size() != rows)
    throw InputError(name + ": has " + std::to_string(v.size()) + " values but " + rows_of +
                     " has " + std::to_string(rows));
  for (std::size_t i = 0; i < v.size(); ++i) {
    const bool ok = std::isfinite(v[i]) && (!positive || v[i] > 0);
    if (!ok)
      throw InputError(name + "[" + std::to_string(i) + "] = " + io::format_number(v[i], 17) +
                       ": must be " + (positive ? "positive and finite" : "finite") +
                       (positive && !why.empty() ? " (" + why + ")" : ""));
  }
}

// Where the arrays came from and what the caller calls each one ("arrays" and n, d, x; or
// "DataFrame" and its column names), so that messages name what the user passed.
struct Origin {
  std::string source;
  io::ColumnLabels columns;
  std::string loss_column;  // the response's column in a table; empty for arrays
};

Origin make_origin(const std::string& source, const std::map<std::string, std::string>& columns) {
  Origin o;
  o.source = source;
  o.columns = {"n", "d", "x"};
  for (const auto& [role, name] : columns) {
    if (role == "n") o.columns.n = name;
    else if (role == "d") o.columns.d = name;
    else if (role == "x") o.columns.x = name;
    else if (role == "loss") o.loss_column = name;
    else throw InputError("columns: unknown role '" + role + "' (roles: n, d, x, loss)");
  }
  return o;
}

// A built-in law's name, "name: formula" or a *.json law file, as the CLI's --law takes them.
const LawEntry& lookup_law(const std::string& name) {
  try {
    return resolve_law(name);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("law: ") + e.what());
  }
}

// The laws of one call, what they read and how they are fitted: law_inputs.hpp's binding, the
// one the CLI's commands use.
struct LawSetup {
  std::vector<const LawEntry*> laws;
  Space space = Space::Log;
  io::ColumnMap columns;  // only the binding: read_n, read_d, law columns, any_sign_loss
};

LawSetup law_setup(const std::vector<std::string>& law_names, const std::string& space) {
  LawSetup s;
  for (const std::string& name : law_names) s.laws.push_back(&lookup_law(name));
  s.space = fit_space(s.laws, space, "space");
  s.columns = bind_law_columns({}, s.laws, s.space);
  return s;
}

// The values of one of the solver's places N or D: read when the laws use it (positive: the
// solver carries them as logarithms), else 1 in every row, as the CLI reads a CSV.
std::vector<double> place_values(const std::optional<Array>& given, const char* name, bool read,
                                 bool law_column, std::size_t rows, const std::string& rows_of) {
  if (!read) return std::vector<double>(rows, 1.0);
  if (!given) throw InputError(std::string(name) + ": the law reads it; pass " + name + "=...");
  const std::vector<double> v = to_vector(*given, name);
  require(v, name, rows, true, rows_of,
          law_column ? "a law's second and third data columns are carried as logarithms" : "");
  return v;
}

Dataset make_dataset(const Origin& origin, const LawSetup& setup, const std::optional<Array>& n,
                     const std::optional<Array>& d, const Array& loss,
                     const std::optional<Array>& weights, const std::optional<Array>& x,
                     const std::optional<py::sequence>& groups = std::nullopt) {
  const io::ColumnMap& bound = setup.columns;
  Dataset data;
  data.source = origin.source;
  data.loss = to_vector(loss, "loss");
  // Row counts are checked against n where the laws read it, as the arrays n, d, loss come.
  const bool by_n = bound.read_n && n;
  const std::size_t rows = by_n ? static_cast<std::size_t>(n->size()) : data.loss.size();
  const std::string rows_of = by_n ? "n" : "loss";
  if (rows == 0) throw InputError(rows_of + ": no data points");
  data.n = place_values(n, "n", bound.read_n, bound.n_is_law_column, rows, rows_of);
  data.d = place_values(d, "d", bound.read_d, bound.d_is_law_column, rows, rows_of);
  if (bound.any_sign_loss)
    require(data.loss, "loss", rows, false, rows_of);
  else
    require(data.loss, "loss", rows, true, rows_of,
            "a log-space fit takes its logarithm; space='linear' takes a response of any sign");
  if (weights) {
    data.weight = to_vector(*weights, "weights");
    require(data.weight, "weights", rows, false, rows_of);
    for (std::size_t i = 0; i < rows; ++i)
      if (data.weight[i] < 0)
        throw InputError("weights[" + std::to_string(i) + "]: must not be negative");
  }
  if (x) {
    data.x = to_vector(*x, "x");
    require(data.x, "x", rows, false, rows_of);
  } else if (!bound.x_column.empty()) {
    throw InputError("x: the law reads column '" + bound.x_column + "' as its first variable: "
                     "pass a table with that column, or its values as x=...");
  }
  if (groups) {
    if (static_cast<std::size_t>(py::len(*groups)) != rows)
      throw InputError("groups: has " + std::to_string(py::len(*groups)) + " values but " +
                       rows_of + " has " + std::to_string(rows));
    // Groups are labels (model family, run name): any hashable value, numbered in order of
    // first appearance.
    py::dict index;
    for (const auto& g : *groups) {
      py::object key = py::str(g);
      if (!index.contains(key)) {
        index[key] = static_cast<int>(data.group_names.size());
        data.group_names.push_back(key.cast<std::string>());
      }
      data.group.push_back(index[key].cast<int>());
    }
  }
  data.line.resize(rows);
  for (std::size_t i = 0; i < rows; ++i) data.line[i] = static_cast<long>(i);
  return data;
}

// The fit settings a Python call names, as the CLI's solver options give them (fit_plan.hpp).
// `start_points` are the CLI's --start values, "NAME=VALUE,..." each; tolerance its --tolerance.
struct StartSettings {
  std::string strategy;
  std::vector<std::string> points;
  double tolerance = 0;
};

FitConfig make_config(const std::string& loss_kind, const LawSetup& setup, double huber_delta,
                      int max_iterations, const std::string& backend, int threads,
                      const StartSettings& starts) {
  FitConfig c;
  FitOptions& o = c.options;
  if (loss_kind == "l2")
    o.loss = LossKind::L2;
  else if (loss_kind == "huber")
    o.loss = LossKind::Huber;
  else
    throw InputError("loss_kind: unknown loss '" + loss_kind + "' (choose l2 or huber)");
  o.space = setup.space;
  c.full_starts = parse_starts(setup.laws, starts.points, "starts");
  set_tolerance(o, starts.tolerance, "tolerance");
  if (!(huber_delta > 0)) throw InputError("huber_delta: must be positive");
  if (max_iterations < 1) throw InputError("max_iterations: must be at least 1");
  o.huber_delta = huber_delta;
  o.max_iterations = max_iterations;
  if (threads < 0) throw InputError("threads: must not be negative");
  c.backend = parse_backend(backend);
  c.threads = threads;
  c.starts = parse_start_strategy(starts.strategy);
  return c;
}

py::dict law_dict(const LawInfo& info) {
  py::list params;
  for (const auto& p : info.params) {
    py::dict d;
    d["name"] = p.name;
    d["reported_name"] = p.reported_name;
    d["reported"] = p.reported == Reported::Exp ? "exp" : "as-is";
    d["lo"] = p.lo;
    d["hi"] = p.hi;
    d["start"] = p.fixed_value;
    params.append(d);
  }
  py::dict d;
  d["name"] = info.name;
  d["formula"] = info.formula;
  d["source"] = info.source;
  d["needs_perturbation"] = info.needs == Needs::Perturbation;
  d["note"] = info.note;
  d["params"] = params;
  return d;
}

py::list laws() {
  py::list out;
  for (const auto& law : all_laws()) out.append(law_dict(law.info));
  return out;
}

// nlohmann JSON as Python objects, so that the Python results carry the very keys the CLI's
// JSON has (start_outcomes, best_fit).
py::object to_python(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(j.dump());
}

// How every start ended and what state the chosen fit is in, as the CLI reports them, plus the
// warning the CLI prints for a best fit that is not a clean interior optimum ("" when it is).
void add_fit_health(py::dict& out, const LawInfo& info, const FitResult& best,
                    const StartOutcomes& starts) {
  out["start_outcomes"] = to_python(to_json(starts));
  py::dict best_fit = to_python(best_fit_json(info, best));
  best_fit["warning"] = best_fit_warning(info, best);
  out["best_fit"] = best_fit;
}

// The parts of a result every call returns: the best fit's parameters with their standard
// errors, status, goodness of fit and information criteria (io's fit statistics), and under
// "record" the fit as the CLI writes it (fit_json, docs/schema/shannonfit-results.schema.json).
// `full_starts`: the starts the full-data fit ran from (FitPlan::full_starts).
py::dict fit_dict(const FitRecord& rec, const Dataset& data, const std::vector<double>& full_starts) {
  const LawEntry& law = *rec.law;
  const FitResult& r = rec.result;
  const FitOptions& options = rec.options;
  const int p = law.n_params;
  const FitSummary& summary = rec.summary;
  py::dict params, se;
  py::list names, solver_names, unidentified;
  Array solver(p);
  Array covariance({static_cast<py::ssize_t>(p), static_cast<py::ssize_t>(p)});
  auto s = solver.mutable_unchecked<1>();
  auto c = covariance.mutable_unchecked<2>();
  for (int k = 0; k < p; ++k) {
    const ParameterEstimate& est = summary.params[k];
    params[py::str(est.reported_name)] = est.reported_value;
    se[py::str(est.reported_name)] = est.reported_se;
    if (!est.identified) unidentified.append(est.reported_name);
    names.append(est.reported_name);
    solver_names.append(est.name);
    s(k) = r.params[k];
    for (int j = 0; j < p; ++j)
      c(k, j) = summary.covariance.size() == static_cast<std::size_t>(p * p)
                    ? summary.covariance[k * p + j]
                    : std::nan("");
  }
  py::dict out;
  out["se"] = se;
  out["unidentified"] = unidentified;
  out["covariance"] = covariance;
  out["r2"] = summary.quality.r2;
  out["aic"] = summary.quality.criteria.aic;
  out["aicc"] = summary.quality.criteria.aicc;
  out["bic"] = summary.quality.criteria.bic;
  out["likelihood"] = summary.quality.likelihood;
  out["covariance_kind"] = summary.covariance_kind;
  out["law"] = law.info.name;
  out["params"] = params;
  out["param_names"] = names;
  out["solver_params"] = solver;
  out["solver_names"] = solver_names;
  out["status"] = to_string(r.status);
  out["converged"] = converged(r.status);
  out["rss"] = r.rss;
  out["cost"] = r.cost;
  out["iterations"] = r.iterations;
  out["n_points"] = data.size();
  out["failed_starts"] = r.failed_starts;
  out["space"] = to_string(options.space);
  out["loss_kind"] = options.loss == LossKind::Huber ? "huber" : "l2";
  out["n_starts"] = rec.n_starts;
  // The chosen start, in the law's reported units, as starts=[...] takes it back.
  out["best_start"] = r.best_start;
  out["starts_at_best"] = rec.starts.at_best;
  py::dict start;
  if (r.best_start >= 0 && static_cast<std::size_t>((r.best_start + 1) * p) <= full_starts.size()) {
    const std::vector<double> rep = reported_params(law.info, full_starts.data() + r.best_start * p);
    for (int k = 0; k < p; ++k) start[py::str(law.info.params[k].reported_name)] = rep[k];
  }
  out["start"] = start;
  add_fit_health(out, law.info, r, rec.starts);
  out["record"] = to_python(fit_json(rec));
  return out;
}

// Runs `work(cancel)` on a worker thread with the GIL released. Python runs signal handlers
// only on the main thread and only between bytecodes, so a Ctrl-C during a batch would wait for
// the whole batch: instead this thread takes the GIL every 100 ms to run pending handlers
// (PyErr_CheckSignals). When one raises (KeyboardInterrupt), the cancel flag stops the batch
// within about one fit per thread and that exception is raised once the worker has stopped.
// Called from another thread, PyErr_CheckSignals does nothing and the batch runs to its end.
template <class Work>
auto interruptible(Work work) {
  std::atomic<bool> cancel{false};
  auto done = std::async(std::launch::async, [&] { return work(&cancel); });
  std::optional<py::error_already_set> raised;
  {
    py::gil_scoped_release release;
    while (done.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
      py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {
        raised.emplace();  // takes the pending exception
        cancel = true;
        break;
      }
    }
    done.wait();
  }
  // A batch cut short returns partial results or throws InterruptedError: neither is wanted.
  if (raised) throw std::move(*raised);
  return done.get();
}

// The checks the CLI makes before any fit: the law's inputs are there, and the data have enough
// rows and distinct N, D, x to identify it (io::require_fittable, the CLI's own check).
void require_fittable(const LawEntry& law, const Dataset& data, const Origin& origin) {
  if (law.info.needs == Needs::Perturbation && !data.has_x())
    throw InputError("law '" + law.info.name + "' needs a perturbation strength: pass x=...");
  io::require_fittable(data, law.info, origin.columns, origin.source);
}

py::dict law_columns(const std::vector<std::string>& law_names, const std::string& space) {
  const LawSetup s = law_setup(law_names, space);
  const io::ColumnMap& c = s.columns;
  py::dict out;
  out["space"] = to_string(s.space);
  out["read_n"] = c.read_n;
  out["read_d"] = c.read_d;
  // A law's own column read in the place of N, D or x ("" for N, D or x themselves).
  out["n"] = c.n_is_law_column ? c.n : "";
  out["d"] = c.d_is_law_column ? c.d : "";
  out["x"] = c.x_column;
  return out;
}

py::dict fit(const std::optional<Array>& n, const std::optional<Array>& d, const Array& loss,
             const std::string& law_name, const std::string& loss_kind, const std::string& space,
             double huber_delta, const std::string& backend, const std::optional<Array>& weights,
             const std::optional<Array>& x, const std::string& starts,
             const std::vector<std::string>& start_points, double tolerance, int threads,
             int max_iterations, const std::string& source,
             const std::map<std::string, std::string>& columns) {
  const LawSetup setup = law_setup({law_name}, space);
  const LawEntry& law = *setup.laws.front();
  const Origin origin = make_origin(source, columns);
  const Dataset data = make_dataset(origin, setup, n, d, loss, weights, x);
  require_fittable(law, data, origin);
  const FitPlan plan =
      make_plan(law, data,
                make_config(loss_kind, setup, huber_delta, max_iterations, backend, threads,
                            {starts, start_points, tolerance}));
  StartOutcomes outcomes;
  const FitResult best = interruptible([&](const std::atomic<bool>* cancel) {
    return fit_counting_starts(law, plan.backend.entry, plan.full_request(data, cancel), outcomes);
  });
  return fit_dict(fit_record(plan, data, origin.source, best, outcomes), data, plan.full_starts);
}

// A bootstrap run kept for intervals on derived quantities (predictions, compute-optimal
// allocations) after the call that ran it; Python holds it opaque in the result.
struct BootstrapRun {
  const LawEntry* law = nullptr;
  BootstrapResult run;
  std::vector<double> covariance;  // of the full fit, solver space: the asymptotic intervals
  // The data with its model groups, as `shannonfit predict` keeps it: a new run's scatter is
  // drawn from it (prediction_interval.hpp).
  Dataset data;
};

// An interval as Python reads it: under lower/upper the one shown for `method` (shown()), and
// every method's under "intervals".
py::dict interval_dict(const QuantityInterval& q, const IntervalMethod& method, IntervalKind kind) {
  const ShownInterval chosen = shown(q, method);
  py::dict d;
  d["estimate"] = q.estimate;
  d["lower"] = chosen.interval.lo;
  d["upper"] = chosen.interval.hi;
  d["level"] = q.level;
  d["kind"] = to_string(kind);
  d["method"] = std::string(chosen.method->name);
  py::dict all;
  for (const IntervalMethod& m : interval_methods()) {
    const Interval& iv = q.interval(m.name);
    all[py::str(std::string(m.name))] = py::make_tuple(iv.lo, iv.hi);
  }
  d["intervals"] = all;
  d["bootstrap_se"] = q.se;
  d["bias"] = q.bias;
  d["asymptotic_se"] = q.asymptotic_se;
  d["invalid_resamples"] = q.invalid;
  return d;
}

py::list backend_list() {
  py::list out;
  for (const BackendSpec& b : kBackends) {
    py::dict d;
    d["name"] = std::string(b.name);
    d["description"] = std::string(b.description);
    d["built"] = b.built;
    d["present"] = b.present();
    out.append(d);
  }
  return out;
}

py::list interval_method_list() {
  py::list out;
  for (const IntervalMethod& m : interval_methods()) {
    py::dict d;
    d["name"] = std::string(m.name);
    d["label"] = std::string(m.label);
    d["description"] = std::string(m.description);
    d["for_new_run"] = m.for_new_run;
    d["default"] = &m == &default_interval_method();
    out.append(d);
  }
  return out;
}

// The scheme `name` asks for on `data`, whose model groups are assigned first, as the CLI
// assigns them: auto resamples whole models when rows share one (resolve_scheme).
Scheme scheme_for(const std::string& name, Dataset& data,
                  const std::vector<const LawEntry*>& laws) {
  assign_model_groups(data, point_keys(laws));
  return resolve_scheme(name, data);
}

py::dict bootstrap(const std::optional<Array>& n, const std::optional<Array>& d, const Array& loss,
                   const std::string& law_name, int resamples, std::uint64_t seed,
                   const std::string& scheme, const std::string& starts,
                   const std::vector<std::string>& start_points, double tolerance,
                   const std::string& loss_kind,
                   const std::string& space, double huber_delta, const std::string& backend,
                   const std::optional<Array>& weights, const std::optional<Array>& x,
                   const std::optional<py::sequence>& groups, int threads, int max_iterations,
                   double level, const std::string& method_name, const std::string& source,
                   const std::map<std::string, std::string>& columns) {
  validate_level(level);
  const IntervalMethod& method = find_interval_method(method_name);
  const LawSetup setup = law_setup({law_name}, space);
  const LawEntry& law = *setup.laws.front();
  const Origin origin = make_origin(source, columns);
  Dataset data = make_dataset(origin, setup, n, d, loss, weights, x, groups);
  require_fittable(law, data, origin);
  BootstrapOptions o;
  o.resamples = resamples;
  o.seed = seed;
  o.scheme = scheme_for(scheme, data, setup.laws);
  o.fit = make_config(loss_kind, setup, huber_delta, max_iterations, backend, threads,
                      {starts, start_points, tolerance});
  const BootstrapResult run = interruptible(
      [&](const std::atomic<bool>* cancel) { return run_bootstrap(data, law, o, {}, cancel); });
  const int p = law.n_params;
  const auto rows = static_cast<py::ssize_t>(run.resamples.size());
  Array draws({rows, static_cast<py::ssize_t>(p)});
  Array solver_draws({rows, static_cast<py::ssize_t>(p)});
  py::array_t<bool> ok(rows);
  auto dr = draws.mutable_unchecked<2>();
  auto sd = solver_draws.mutable_unchecked<2>();
  auto okv = ok.mutable_unchecked<1>();
  for (py::ssize_t r = 0; r < rows; ++r) {
    const ResampleFit& f = run.resamples[r];
    const std::vector<double> rep = reported_params(law.info, f.params.data());
    okv(r) = f.ok();
    for (int k = 0; k < p; ++k) {
      dr(r, k) = f.ok() ? rep[k] : std::nan("");
      sd(r, k) = f.params[k];
    }
  }
  const FitRecord rec = fit_record(run.plan, data, origin.source, run.full, run.full_starts);
  py::dict out = fit_dict(rec, data, run.plan.full_starts);
  // n_starts, as in fit() and the CLI's "starts", counts the full-data fit's starts.
  out["starts_per_resample"] = run.n_starts;
  out["resamples"] = rows;
  out["failed_resamples"] = run.failed();
  out["seed"] = seed;
  out["scheme"] = to_string(run.scheme);
  out["level"] = level;
  out["interval_kind"] = to_string(IntervalKind::Confidence);
  out["interval_method"] = std::string(method.name);
  py::dict intervals;
  for (const QuantityInterval& q : parameter_intervals(run, law.info, level, rec.summary.covariance))
    intervals[py::str(q.name)] = interval_dict(q, method, IntervalKind::Confidence);
  out["intervals"] = intervals;
  out["draws"] = draws;
  out["solver_draws"] = solver_draws;
  out["ok"] = ok;
  out["run"] = BootstrapRun{&law, run, rec.summary.covariance, std::move(data)};
  return out;
}

// Points as the CLI's --at gives them ("N=7e10,D=1.4e12", "C=1e21": the law's own variables),
// parsed as it parses them; a law that needs a perturbation strength needs x at every point.
std::vector<PredictionPoint> points(const std::vector<std::string>& specs, const LawEntry& law,
                                    PointKeys& keys) {
  keys = point_keys({&law});
  if (law.info.needs == Needs::Perturbation) keys.need_x = true;
  std::vector<PredictionPoint> out;
  for (const std::string& spec : specs) out.push_back(parse_point(spec, keys));
  return out;
}

// A point under the solver's names (N, D, x) and, under "at", the law's own.
py::dict point_dict(const PredictionPoint& at, const PointKeys& keys) {
  // A law's own columns in the order it declares them: x's place holds the first.
  const bool x_first = keys.need_x && keys.x != "x";
  py::dict own;
  if (x_first) own[py::str(keys.x)] = at.x;
  if (keys.need_n) own[py::str(keys.n)] = at.n;
  if (keys.need_d) own[py::str(keys.d)] = at.d;
  if (!x_first) own[py::str(keys.x)] = at.x;
  py::dict d;
  d["N"] = at.n;
  d["D"] = at.d;
  d["x"] = at.x;
  d["at"] = own;
  return d;
}

// Parameters in the solver's space for `law`, checked for their count.
std::vector<double> solver_params_of(const LawEntry& law, const Array& solver_params) {
  std::vector<double> p = to_vector(solver_params, "solver_params");
  if (static_cast<int>(p.size()) != law.n_params)
    throw InputError("solver_params: law '" + law.info.name + "' has " +
                     std::to_string(law.n_params) + " parameters, got " + std::to_string(p.size()));
  return p;
}

py::list predict_loss(const std::string& law_name, const Array& solver_params,
                      const std::vector<std::string>& specs) {
  const LawEntry& law = lookup_law(law_name);
  const std::vector<double> p = solver_params_of(law, solver_params);
  PointKeys keys;
  py::list out;
  for (const PredictionPoint& at : points(specs, law, keys)) {
    py::dict d = point_dict(at, keys);
    d["estimate"] = predicted_loss(law, p.data(), at);
    out.append(d);
  }
  return out;
}

// Per point, the confidence band of the law's mean curve, and under "prediction" the interval
// for a new run's loss: both as `shannonfit predict` computes them from DATA.
py::list prediction_intervals(const BootstrapRun& b, const std::vector<std::string>& specs,
                              double level, const std::string& method_name) {
  validate_level(level);
  const IntervalMethod& method = find_interval_method(method_name);
  const LawRun lr{b.law, &b.run};
  PointKeys keys;
  py::list out;
  for (const PredictionPoint& at : points(specs, *b.law, keys)) {
    py::dict band = interval_dict(confidence_band(lr, at, level, b.covariance, "loss"), method,
                                  IntervalKind::Confidence);
    for (const auto& item : point_dict(at, keys)) band[item.first] = item.second;
    band["prediction"] =
        interval_dict(prediction_interval(lr, b.data, b.run.plan.options.space, at, level, "loss"),
                      method, IntervalKind::Prediction);
    out.append(band);
  }
  return out;
}

ComputeOptimalOptions optimal_options(double flops_per_token_param, double n_min, double n_max,
                                      double x, double budget) {
  ComputeOptimalOptions o;
  o.flops_per_token_param = flops_per_token_param;
  o.n_min = n_min;
  o.n_max = n_max;
  o.x = x;
  validate(o, budget);
  return o;
}

// The compute-optimal split C = k N D needs a law of N and D themselves.
void require_n_and_d(const LawEntry& law) {
  const PointKeys keys = point_keys({&law});
  if (!(keys.need_n && keys.need_d && keys.n == "N" && keys.d == "D"))
    throw InputError("compute_optimal: law '" + law.info.name +
                     "' is not a function of the model size N and the tokens D, so a compute "
                     "budget C = k N D has no optimal split for it");
}

py::dict optimum_dict(const Optimum& best) {
  py::dict d;
  d["N"] = best.n;
  d["D"] = best.d;
  d["loss"] = best.loss;
  d["on_bound"] = best.on_bound;
  d["ok"] = best.ok;
  return d;
}

py::dict compute_optimal_point(const std::string& law_name, const Array& solver_params,
                               double budget, double flops_per_token_param, double n_min,
                               double n_max, double x) {
  const LawEntry& law = lookup_law(law_name);
  require_n_and_d(law);
  const std::vector<double> p = solver_params_of(law, solver_params);
  const ComputeOptimalOptions o = optimal_options(flops_per_token_param, n_min, n_max, x, budget);
  return optimum_dict(compute_optimal(law, p.data(), budget, o));
}

// N*, D* and L* at the budget with their bootstrap intervals, as `analyze --budget` reports them.
py::dict compute_optimal_intervals(const BootstrapRun& b, double budget,
                                   double flops_per_token_param, double n_min, double n_max,
                                   double x, double level, const std::string& method_name) {
  validate_level(level);
  const IntervalMethod& method = find_interval_method(method_name);
  const ComputeOptimalOptions o = optimal_options(flops_per_token_param, n_min, n_max, x, budget);
  const LawEntry& law = *b.law;
  require_n_and_d(law);
  py::dict out = optimum_dict(compute_optimal(law, b.run.full.params.data(), budget, o));
  const std::pair<const char*, double Optimum::*> parts[] = {
      {"N", &Optimum::n}, {"D", &Optimum::d}, {"loss", &Optimum::loss}};
  for (const auto& [name, member] : parts) {
    const Quantity q = [&, member = member](const double* p) {
      const Optimum opt = compute_optimal(law, p, budget, o);
      return opt.ok ? opt.*member : std::nan("");
    };
    out[py::str(std::string(name) + "_interval")] =
        interval_dict(quantity_interval(b.run, name, q, level, b.covariance), method,
                      IntervalKind::Confidence);
  }
  return out;
}

// The whole `analyze` job on arrays: every law fitted, bootstrapped, ranked, evaluated at the
// targets and at the budget. Returns report.json's results (the CLI adds the command line and
// the data's provenance) as Python objects.
py::object analyze(const std::optional<Array>& n, const std::optional<Array>& d, const Array& loss,
                   const std::vector<std::string>& law_names,
                   const std::vector<std::pair<std::string, std::string>>& targets,
                   double budget, double budget_x, double level, int resamples, std::uint64_t seed,
                   const std::string& scheme, const std::string& starts,
                   const std::vector<std::string>& start_points, double tolerance,
                   const std::string& loss_kind, const std::string& space, double huber_delta,
                   const std::string& backend, const std::optional<Array>& weights,
                   const std::optional<Array>& x, const std::optional<py::sequence>& groups,
                   int threads, int max_iterations, int kfold, const std::string& extrapolate,
                   const std::string& method, const std::string& source,
                   const std::map<std::string, std::string>& columns) {
  validate_level(level);
  if (resamples < 1) throw InputError("resamples: must be at least 1");
  if (budget < 0) throw InputError("budget: must be positive");
  if (law_names.empty()) throw InputError("laws: name at least one law");
  const LawSetup setup = law_setup(law_names, space);
  const Origin origin = make_origin(source, columns);
  Dataset data = make_dataset(origin, setup, n, d, loss, weights, x, groups);
  analysis::AnalyzeRequest req;
  req.data = &data;
  req.budget = budget;
  req.budget_x = budget_x;
  req.level = level;
  req.method = &find_interval_method(method);
  req.kfold = kfold;
  req.bootstrap.resamples = resamples;
  req.bootstrap.seed = seed;
  req.bootstrap.scheme = scheme_for(scheme, data, setup.laws);
  req.bootstrap.fit = make_config(loss_kind, setup, huber_delta, max_iterations, backend, threads,
                                  {starts, start_points, tolerance});
  for (const LawEntry* law : setup.laws) {
    require_fittable(*law, data, origin);
    req.laws.push_back(law);
  }
  // Each target as the CLI's --at reads it, keyed by the laws' own variables, and the report
  // worded for the response, as cmd_analyze's.
  req.keys = point_keys(setup.laws);
  req.response = response_name(setup.laws, origin.loss_column);
  for (const auto& [label, spec] : targets)
    req.targets.push_back({label, parse_point(spec, req.keys)});
  if (!extrapolate.empty())
    req.held_out = beyond(data, parse_split(extrapolate, "extrapolate", req.keys));
  report::Folder folder = interruptible([&](const std::atomic<bool>* cancel) {
    report::Folder f;
    req.cancel = cancel;
    analysis::analyze(req, f);
    return f;
  });
  return to_python(folder.json);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "shannonfit engine: batched scaling-law fits (use the shannonfit package)";
  m.attr("__version__") = SHANNONFIT_VERSION;
  // Subclasses of the built-in kinds, so `except ValueError` works for callers who do not know
  // shannonfit, and the message is the engine's own.
  py::register_exception<InputError>(m, "InputError", PyExc_ValueError);
  py::register_exception<FitError>(m, "FitError", PyExc_RuntimeError);
  m.def("laws", &laws, "Every registered law: name, formula, source and parameters.");
  m.def("interval_methods", &interval_method_list,
        "Every interval method: name, label, description, whether it applies to a new run's "
        "loss, and whether it is the default.");
  m.def("backends", &backend_list,
        "Every backend: name, description, whether this build has it and whether it can run "
        "here.");
  m.def("law_columns", &law_columns, py::arg("laws"), py::arg("space"),
        "What the laws read (the CLI's binding of a formula law's own columns) and the space "
        "they are fitted in.");
  m.def("fit", &fit, py::arg("n"), py::arg("d"), py::arg("loss"), py::arg("law"),
        py::arg("loss_kind"), py::arg("space"), py::arg("huber_delta"), py::arg("backend"),
        py::arg("weights"), py::arg("x"), py::arg("starts"), py::arg("start_points"),
        py::arg("tolerance"), py::arg("threads"),
        py::arg("max_iterations"), py::arg("source") = "arrays",
        py::arg("columns") = std::map<std::string, std::string>{},
        "Fits one law from its start grid; returns the best fit as a dict.");
  m.def("bootstrap", &bootstrap, py::arg("n"), py::arg("d"), py::arg("loss"), py::arg("law"),
        py::arg("resamples"), py::arg("seed"), py::arg("scheme"), py::arg("starts"),
        py::arg("start_points"), py::arg("tolerance"),
        py::arg("loss_kind"), py::arg("space"), py::arg("huber_delta"), py::arg("backend"),
        py::arg("weights"), py::arg("x"), py::arg("groups"), py::arg("threads"),
        py::arg("max_iterations"), py::arg("level"), py::arg("method"),
        py::arg("source") = "arrays", py::arg("columns") = std::map<std::string, std::string>{},
        "Full fit plus bootstrap refits; returns the draws as (resamples, params) arrays.");
  py::class_<BootstrapRun>(m, "BootstrapRun",
                           "A bootstrap run, kept for intervals on derived quantities");
  m.def("prediction_intervals", &prediction_intervals, py::arg("run"), py::arg("points"),
        py::arg("level"), py::arg("method"),
        "The law's value at each point (\"N=7e10,D=1.4e12\" or the law's own variables, as "
        "--at) with its confidence band and, under \"prediction\", the interval for a new run's "
        "value; one dict per point.");
  m.def("compute_optimal", &compute_optimal_point, py::arg("law"), py::arg("solver_params"),
        py::arg("budget"), py::arg("flops_per_token_param"), py::arg("n_min"), py::arg("n_max"),
        py::arg("x"), "N*, D*, L* minimising the loss at compute budget C = k N D.");
  m.def("compute_optimal_intervals", &compute_optimal_intervals, py::arg("run"),
        py::arg("budget"), py::arg("flops_per_token_param"), py::arg("n_min"), py::arg("n_max"),
        py::arg("x"), py::arg("level"), py::arg("method"),
        "N*, D*, L* with their bootstrap intervals.");
  m.def("analyze", &analyze, py::arg("n"), py::arg("d"), py::arg("loss"), py::arg("laws"),
        py::arg("targets"), py::arg("budget"), py::arg("budget_x"), py::arg("level"),
        py::arg("resamples"), py::arg("seed"), py::arg("scheme"), py::arg("starts"),
        py::arg("start_points"), py::arg("tolerance"),
        py::arg("loss_kind"), py::arg("space"), py::arg("huber_delta"), py::arg("backend"),
        py::arg("weights"), py::arg("x"), py::arg("groups"), py::arg("threads"),
        py::arg("max_iterations"), py::arg("kfold"), py::arg("extrapolate"), py::arg("method"),
        py::arg("source") = "arrays", py::arg("columns") = std::map<std::string, std::string>{},
        "The analyze job: every law fitted, bootstrapped, ranked and evaluated.");
  m.def("guess_column", [](const std::vector<std::string>& header, const std::string& role) {
          const io::Role r = role == "n" ? io::Role::N : role == "d" ? io::Role::D : io::Role::Loss;
          return io::guess_column(header, r, "columns={'" + role + "': ...}", "the table");
        }, py::arg("header"), py::arg("role"),
        "The column the CLI would read for role n, d or loss (InputError when none fits).");
  m.def("closest_column", &io::closest_column, py::arg("header"), py::arg("name"),
        "The header name closest to `name`, or an empty string.");
  m.def("predict", &predict_loss, py::arg("law"), py::arg("solver_params"), py::arg("points"),
        "The law's value at each point (as --at gives them) for parameters in solver space; one "
        "dict per point.");
}

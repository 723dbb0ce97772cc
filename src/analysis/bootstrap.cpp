#include "analysis/bootstrap.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "analysis/law_value.hpp"
#include "analysis/separable_starts.hpp"
#include "shannonfit/errors.hpp"
#include "shannonfit/resample.hpp"

namespace shannonfit {

Scheme parse_scheme(const std::string& name) {
  if (name == "case") return Scheme::Case;
  if (name == "cluster") return Scheme::Cluster;
  if (name == "residual") return Scheme::Residual;
  throw InputError("--scheme: unknown scheme '" + name + "' (choose case, cluster or residual)");
}

const char* to_string(Scheme s) {
  switch (s) {
    case Scheme::Case: return "case";
    case Scheme::Cluster: return "cluster";
    case Scheme::Residual: return "residual";
  }
  return "unknown";
}

bool ResampleFit::ok() const { return converged(status) && std::isfinite(cost); }

int BootstrapResult::failed() const {
  return static_cast<int>(
      std::count_if(resamples.begin(), resamples.end(), [](const ResampleFit& f) { return !f.ok(); }));
}

std::string assign_model_groups(Dataset& data, const PointKeys& keys) {
  if (!data.group.empty()) return "the group column";
  if (keys.order.size() < 2) return "";
  const char model = keys.order[0], along = keys.order[1];
  const std::vector<double>& size = values_at(data, model);
  const std::vector<double>& step = values_at(data, along);
  if (size.size() != data.size() || step.size() != data.size()) return "";
  std::map<double, std::set<double>> tokens_per_size;
  for (std::size_t i = 0; i < data.size(); ++i) tokens_per_size[size[i]].insert(step[i]);
  const bool shared = std::any_of(tokens_per_size.begin(), tokens_per_size.end(),
                                  [](const auto& kv) { return kv.second.size() > 1; });
  if (!shared || tokens_per_size.size() < 2) return "";
  std::map<double, int> index;
  for (const auto& kv : tokens_per_size) {
    index.emplace(kv.first, static_cast<int>(data.group_names.size()));
    char value[32];
    std::snprintf(value, sizeof value, "%.4g", kv.first);
    data.group_names.push_back(keys.name(model) + "=" + value);
  }
  data.group.resize(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) data.group[i] = index.at(size[i]);
  return model == 'n' && keys.name(model) == "N" ? "one group per model size N"
                                                  : "one group per value of " + keys.name(model);
}

Scheme default_scheme(const Dataset& data) {
  return data.group_names.size() >= 2 ? Scheme::Cluster : Scheme::Case;
}

Scheme resolve_scheme(const std::string& name, const Dataset& data) {
  return name == "auto" ? default_scheme(data) : parse_scheme(name);
}

int min_resamples(double level) {
  return static_cast<int>(std::ceil(2.0 / (1.0 - level) - 1e-9));
}

namespace {
std::string count_warning(int count, double level, const char* what, const char* consequence) {
  const int needed = min_resamples(level);
  if (count >= needed) return "";
  char text[400];
  std::snprintf(text, sizeof text,
                "%d %s are too few for a %.4g%% interval (at least %d put one beyond each end); "
                "%s",
                count, what, 100 * level, needed, consequence);
  return text;
}
}  // namespace

std::string resample_count_warning(int resamples, double level) {
  return count_warning(resamples, level, resamples == 1 ? "resample" : "resamples",
                       "its ends are the extreme resamples themselves, and verdicts are not "
                       "determined");
}

std::string cluster_count_warning(int clusters, double level) {
  return count_warning(clusters, level, "models (clusters)",
                       "a cluster bootstrap draws from so few independent units that its "
                       "intervals tend to be too narrow (Cameron, Gelbach & Miller 2008)");
}

void resample_weights(const Dataset& data, Scheme scheme, std::uint64_t seed, long r,
                      double* weights) {
  const int n = static_cast<int>(data.size());
  const double* own = data.weight.empty() ? nullptr : data.weight.data();
  switch (scheme) {
    case Scheme::Case:
      case_weights(seed, r, n, own, weights);
      return;
    case Scheme::Cluster: {
      int groups = 0;
      for (int g : data.group) groups = std::max(groups, g + 1);
      std::vector<int> counts(groups);
      cluster_weights(seed, r, n, data.group.data(), groups, own, counts.data(), weights);
      return;
    }
    case Scheme::Residual:
      for (int i = 0; i < n; ++i) weights[i] = own ? own[i] : 1.0;
      return;
  }
}

std::vector<double> reported_params(const LawInfo& info, const double* solver_params) {
  std::vector<double> out(info.params.size());
  for (std::size_t k = 0; k < out.size(); ++k)
    out[k] = info.params[k].reported == Reported::Exp ? std::exp(solver_params[k]) : solver_params[k];
  return out;
}

namespace {

ResampleFit to_resample_fit(const FitResult& r) {
  ResampleFit f;
  f.params = r.params;
  f.cost = r.cost;
  f.status = r.status;
  f.best_start = r.best_start;
  f.failed_starts = r.failed_starts;
  f.iterations = r.iterations;
  return f;
}

using Clock = std::chrono::steady_clock;

// Everything one bootstrap run shares between its phases.
class Runner {
 public:
  Runner(const Dataset& data, const LawEntry& law, const BootstrapOptions& opt,
         const ProgressFn& progress, const std::atomic<bool>* cancel)
      : data_(data), law_(law), opt_(opt), progress_(progress), cancel_(cancel),
        n_(static_cast<int>(data.size())),
        n_groups_(count_groups(data)), started_(Clock::now()) {}

  BootstrapResult run() {
    validate();
    BootstrapResult res;
    res.law = law_.info.name;
    res.n_params = law_.n_params;
    res.scheme = opt_.scheme;
    res.starts = opt_.fit.starts;
    res.seed = opt_.seed;
    res.n_points = n_;
    res.n_clusters = opt_.scheme == Scheme::Cluster ? n_groups() : 0;
    res.requested = opt_.resamples;

    plan_ = make_plan(law_, data_, opt_.fit);
    res.plan = plan_;
    res.full = full_fit(res.full_starts);
    res.n_starts = static_cast<int>(plan_.n_refit_starts());
    if (opt_.scheme == Scheme::Residual) prepare_residuals(res.full);

    res.chunk = opt_.chunk > 0 ? opt_.chunk : auto_chunk(res.n_starts);
    fits_total_ = (end_resample() - opt_.first_resample) * res.n_starts;
    if (opt_.jackknife) {
      const long rows = opt_.scheme == Scheme::Cluster ? n_groups() : n_;
      fits_total_ += rows;
      res.jackknife = opt_.done_jackknife;
      res.jackknife.resize(rows);
      // Leaving one row (or model) out barely moves the optimum: every refit starts there.
      FitPlan from_optimum = plan_;
      from_optimum.starts = StartStrategy::Best;
      const long done = fit_rows(from_optimum, res.full, rows,
                                 static_cast<long>(opt_.done_jackknife.size()), res.chunk, false,
                                 "jackknife",
                                 [this](long i, double* w, double*) { jackknife_row(i, w); },
                                 res.jackknife);
      if (done < rows) {
        res.jackknife.resize(done);
        return finish(res, true);
      }
    }
    const long first = opt_.first_resample;
    const long count = end_resample() - first;
    res.resamples = opt_.done_resamples;
    res.resamples.resize(count);
    const bool targets = opt_.scheme == Scheme::Residual;
    const long done =
        fit_rows(plan_, res.full, count, static_cast<long>(opt_.done_resamples.size()), res.chunk,
                 targets, "resamples",
                 [this, first](long r, double* w, double* t) { resample_row(first + r, w, t); },
                 res.resamples);
    res.resamples.resize(done);
    return finish(res, done < count);
  }

 private:
  void validate() const {
    if (opt_.resamples <= 0)
      throw InputError("--resamples must be a positive count (got " +
                       std::to_string(opt_.resamples) + ")");
    if (opt_.chunk < 0)
      throw InputError("--chunk must be positive, or 0 for automatic (got " +
                       std::to_string(opt_.chunk) + ")");
    if (n_ == 0) throw InputError(data_.source + ": no data rows to resample");
    if (opt_.first_resample < 0 || opt_.first_resample > end_resample() ||
        end_resample() > opt_.resamples)
      throw std::invalid_argument("bootstrap resample range [" +
                                  std::to_string(opt_.first_resample) + ", " +
                                  std::to_string(end_resample()) + ") is not within [0, " +
                                  std::to_string(opt_.resamples) + ")");
    if (static_cast<long>(opt_.done_resamples.size()) > end_resample() - opt_.first_resample)
      throw std::invalid_argument("more completed resamples than the range holds");
    if (opt_.scheme == Scheme::Cluster) {
      if (data_.group.empty())
        throw InputError("--scheme cluster resamples whole groups, but " + data_.source +
                         " has no group column (name one with --group-col)");
      if (n_groups() < 2)
        throw InputError("--scheme cluster needs at least 2 groups; " + data_.source + " has " +
                         std::to_string(n_groups()));
    }
  }

  long end_resample() const { return opt_.end_resample < 0 ? opt_.resamples : opt_.end_resample; }

  static int count_groups(const Dataset& data) {
    int g = 0;
    for (int v : data.group) g = std::max(g, v + 1);
    return g;
  }
  int n_groups() const { return n_groups_; }

  const double* user_weights() const {
    return data_.weight.empty() ? nullptr : data_.weight.data();
  }

  FitResult full_fit(StartOutcomes& outcomes) {
    if (opt_.full) return *opt_.full;
    StartProgressFn starts_done;
    if (progress_)
      starts_done = [this](long done, long total) {
        BootstrapProgress p;
        p.phase = "full fit";
        p.unit = "starts";
        p.resamples_done = p.fits_done = done;
        p.resamples_total = p.fits_total = total;
        p.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
        progress_(p);
      };
    const FitResult full = fit_counting_starts(
        law_, plan_.backend.entry, plan_.full_request(data_, cancel_), outcomes, starts_done);
    if (!std::isfinite(full.cost))
      throw FitError("law " + law_.info.name + ": the full-data fit failed from every start (" +
                     to_string(full.status) + "); nothing to bootstrap");
    return full;
  }

  // Centred residuals in the fit space, inflated by sqrt(n / (n - p)) because fitted residuals
  // are smaller than the errors by about that factor (Davison & Hinkley 1997, §6.2).
  void prepare_residuals(const FitResult& full) {
    const PreparedPoints pts = prepare_points(data_, plan_.options.space);
    fitted_.resize(n_);
    residuals_.resize(n_);
    double mean = 0;
    for (int i = 0; i < n_; ++i) {
      fitted_[i] = prediction_in_space(law_, full.params.data(), pts.ln_n[i], pts.ln_d[i],
                                       pts.x.empty() ? 0.0 : pts.x[i], plan_.options.space);
      residuals_[i] = pts.target[i] - fitted_[i];
      mean += residuals_[i] / n_;
    }
    const double inflate = n_ > law_.n_params ? std::sqrt(double(n_) / (n_ - law_.n_params)) : 1.0;
    for (double& r : residuals_) r = (r - mean) * inflate;
  }

  void resample_row(long r, double* weights, double* targets) const {
    resample_weights(data_, opt_.scheme, opt_.seed, r, weights);
    if (opt_.scheme == Scheme::Residual)
      residual_targets(opt_.seed, r, n_, fitted_.data(), residuals_.data(), targets);
  }

  void jackknife_row(long left_out, double* weights) const {
    for (int i = 0; i < n_; ++i) {
      const bool out = opt_.scheme == Scheme::Cluster ? data_.group[i] == left_out : i == left_out;
      weights[i] = out ? 0.0 : (user_weights() ? user_weights()[i] : 1.0);
    }
  }

  // Fewer fits per call than a GPU wants would starve it; more than this on CPU threads would
  // make progress reports and interruption coarse.
  int auto_chunk(int n_starts) const {
    return static_cast<int>(
        std::clamp<long>(plan_.backend.preferred_fits_per_call / n_starts, 1, opt_.resamples));
  }

  // Fits rows [from, total) produced by `fill(row, weights, targets)` in chunks, as refits of
  // `plan` around the full-data fit `full`, writing out[row]. Returns how many rows were
  // completed before a cancel.
  template <class Fill>
  long fit_rows(const FitPlan& plan, const FitResult& full, long total, long from, int chunk,
                bool with_targets, const char* phase, const Fill& fill,
                std::vector<ResampleFit>& out) {
    const std::vector<double> starts = plan.refit_starts(full);
    const long n_starts = plan.n_refit_starts();
    std::vector<double> weights(static_cast<std::size_t>(chunk) * n_);
    std::vector<double> targets(with_targets ? weights.size() : 0);
    long done = from;
    fits_done_ += from * n_starts;
    while (done < total) {
      if (cancel_ && cancel_->load()) break;
      const long count = std::min<long>(chunk, total - done);
      for (long k = 0; k < count; ++k)
        fill(done + k, weights.data() + k * n_, with_targets ? targets.data() + k * n_ : nullptr);
      const std::vector<FitResult> fits = plan.backend.run(
          law_, plan.refit_request(data_, starts, weights.data(),
                                   with_targets ? targets.data() : nullptr, count));
      for (long k = 0; k < count; ++k) out[done + k] = to_resample_fit(fits.at(k));
      done += count;
      fits_done_ += count * n_starts;
      if (opt_.on_chunk) opt_.on_chunk(phase, out, done);
      report(phase, done, total);
    }
    return done;
  }

  void report(const char* phase, long done, long total) const {
    if (!progress_) return;
    BootstrapProgress p;
    p.phase = phase;
    p.unit = std::string(phase) == "jackknife" ? "refits" : "resamples";
    p.resamples_done = done;
    p.resamples_total = total;
    p.fits_done = fits_done_;
    p.fits_total = fits_total_;
    p.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    progress_(p);
  }

  BootstrapResult& finish(BootstrapResult& res, bool interrupted) const {
    res.interrupted = interrupted;
    res.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    return res;
  }

  const Dataset& data_;
  const LawEntry& law_;
  const BootstrapOptions& opt_;
  const ProgressFn& progress_;
  const std::atomic<bool>* cancel_;
  FitPlan plan_;  // made in run(), once the options are validated
  int n_;
  int n_groups_;
  Clock::time_point started_;
  std::vector<double> fitted_, residuals_;
  long fits_done_ = 0, fits_total_ = 0;
};

}  // namespace

BootstrapResult run_bootstrap(const Dataset& data, const LawEntry& law,
                              const BootstrapOptions& options, const ProgressFn& progress,
                              const std::atomic<bool>* cancel) {
  return Runner(data, law, options, progress, cancel).run();
}

}  // namespace shannonfit

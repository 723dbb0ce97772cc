#include "analysis/prediction_interval.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "analysis/fit_stats.hpp"
#include "analysis/uncertainty.hpp"
#include "laws/equivalence.hpp"
#include "shannonfit/resample.hpp"

namespace shannonfit {

const char* to_string(IntervalKind kind) {
  return kind == IntervalKind::Prediction ? "prediction" : "confidence";
}

std::string describe(IntervalKind kind, const std::string& response) {
  return kind == IntervalKind::Prediction ? "prediction interval for a new run's " + response
                                          : "confidence band for the mean curve";
}

const char* const kPredictionMethod =
    "prediction interval: in each bootstrap resample, the resample's curve at the target plus one "
    "residual of that resample's fit in the fit space (a model drawn first, then one of its rows; "
    "the model's offset inflated by sqrt(G/(G-p)) and the row's scatter within it by "
    "sqrt(n/(n-G)) for the degrees of freedom the fit used), percentile interval (Davison & "
    "Hinkley 1997, Alg. 6.4)";
const char* const kLawAveragedMethod =
    "law-averaged: in each resample the law with the lowest out-of-bag error (rows, or whole "
    "models under the cluster scheme, that the resample left out) is picked and its value kept; "
    "equivalent parametrisations count once; percentile interval of the pooled values (bootstrap "
    "model selection, Efron 2014)";

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Residual draws use their own Philox key, so they never repeat the resample's row draws.
constexpr std::uint64_t kResidualStream = 0x9E3779B97F4A7C15ULL;

double to_loss(double v, Space space) { return space == Space::Log ? std::exp(v) : v; }
double to_space(double loss, Space space) { return space == Space::Log ? std::log(loss) : loss; }

// Everything the draws of one resample need.
struct ResampleView {
  std::vector<double> weights;
  std::vector<double> fitted;  // the resample's fit at every row, fit space
};

class Draws {
 public:
  Draws(const Dataset& data, Space space)
      : data_(data), space_(space), y_(targets(data, space)), group_rows_(groups()) {}

  ResampleView view(const LawRun& lr, long r) const {
    ResampleView v;
    v.weights.resize(data_.size());
    resample_weights(data_, lr.run->scheme, lr.run->seed, r, v.weights.data());
    v.fitted = predict(*lr.law, lr.run->resamples[r].params.data(), data_, space_);
    return v;
  }

  // One residual of the resample's fit, drawn as the header describes.
  double residual(const ResampleView& v, const LawRun& lr, std::uint64_t seed, long r) const {
    // Per model: the weighted mean residual (the model's offset from the curve) over the rows
    // the resample kept.
    const std::size_t models = group_rows_.size();
    std::vector<double> offset(models, 0.0), model_total(models, 0.0), pick_weight(models, 0.0);
    double total = 0, mean = 0, pick_total = 0;
    long rows_in = 0, models_in = 0;
    for (std::size_t g = 0; g < models; ++g) {
      for (std::size_t i : group_rows_[g]) {
        if (!(v.weights[i] > 0)) continue;
        offset[g] += v.weights[i] * (y_[i] - v.fitted[i]);
        model_total[g] += v.weights[i];
        ++rows_in;
      }
      if (!(model_total[g] > 0)) continue;
      ++models_in;
      total += model_total[g];
      mean += offset[g];
      offset[g] /= model_total[g];
      // Models in proportion to their mean weight (their draw count under the cluster scheme).
      pick_weight[g] = model_total[g] / static_cast<double>(group_rows_[g].size());
      pick_total += pick_weight[g];
    }
    if (!(total > 0)) return kNaN;
    mean /= total;
    // Fitted residuals understate the errors: the p parameters absorb part of the models'
    // offsets (models_in − p degrees of freedom left for them) and the model means absorb part
    // of the scatter within a model (rows_in − models_in left). Each part is inflated by its
    // own sqrt(n / (n − used)), the rule for residuals of a least-squares fit (Davison &
    // Hinkley 1997, §6.2) applied at the two levels; at least one degree of freedom is kept.
    const double p = lr.law->n_params;
    const double between = std::sqrt(models_in / std::max(1.0, models_in - p));
    const double within =
        rows_in > models_in ? std::sqrt(double(rows_in) / std::max(1.0, double(rows_in - models_in)))
                            : 1.0;
    const std::size_t g =
        pick(pick_weight, pick_total, philox_uniform(seed ^ kResidualStream, r, 0));
    std::vector<double> row_weight;
    double row_total = 0;
    for (std::size_t i : group_rows_[g]) {
      row_weight.push_back(v.weights[i]);
      row_total += v.weights[i];
    }
    const std::size_t i =
        group_rows_[g][pick(row_weight, row_total, philox_uniform(seed ^ kResidualStream, r, 1))];
    const double model_part = offset[g] - mean;
    const double row_part = y_[i] - v.fitted[i] - offset[g];
    // Rows that are their own model have no scatter within: their residual is all offset,
    // inflated as an ordinary fit's residual is.
    if (rows_in == models_in) return model_part * std::sqrt(models_in / std::max(1.0, models_in - p));
    return model_part * between + row_part * within;
  }

  // Mean squared error of the resample's fit on the rows it left out; NaN when it left none.
  double out_of_bag_mse(const ResampleView& v) const {
    double sse = 0;
    long count = 0;
    for (std::size_t i = 0; i < data_.size(); ++i) {
      if (v.weights[i] > 0 || (!data_.weight.empty() && !(data_.weight[i] > 0))) continue;
      sse += (y_[i] - v.fitted[i]) * (y_[i] - v.fitted[i]);
      ++count;
    }
    return count > 0 ? sse / count : kNaN;
  }

  Space space() const { return space_; }

 private:
  // Rows per model: the group column's groups, else each row on its own.
  std::vector<std::vector<std::size_t>> groups() const {
    std::vector<std::vector<std::size_t>> rows;
    if (data_.group.empty()) {
      for (std::size_t i = 0; i < data_.size(); ++i) rows.push_back({i});
      return rows;
    }
    for (std::size_t i = 0; i < data_.size(); ++i) {
      const auto g = static_cast<std::size_t>(data_.group[i]);
      if (rows.size() <= g) rows.resize(g + 1);
      rows[g].push_back(i);
    }
    rows.erase(std::remove_if(rows.begin(), rows.end(), [](const auto& r) { return r.empty(); }),
               rows.end());
    return rows;
  }

  static std::size_t pick(const std::vector<double>& weight, double total, double u) {
    double target = u * total, seen = 0;
    std::size_t last = 0;
    for (std::size_t k = 0; k < weight.size(); ++k) {
      if (!(weight[k] > 0)) continue;
      last = k;
      seen += weight[k];
      if (target < seen) return k;
    }
    return last;
  }

  const Dataset& data_;
  Space space_;
  std::vector<double> y_;
  std::vector<std::vector<std::size_t>> group_rows_;
};

double curve_value(const LawRun& lr, long r, const PredictionPoint& at, Space space) {
  return to_space(predicted_loss(*lr.law, lr.run->resamples[r].params.data(), at), space);
}

// A new run's losses and values pooled over laws are draws, not one estimator's bootstrap
// distribution: only the methods for a new run apply (new_run_interval).
QuantityInterval interval_of_draws(std::string name, double estimate,
                                   const std::vector<double>& values, double level) {
  std::vector<double> finite;
  for (double v : values)
    if (std::isfinite(v)) finite.push_back(v);
  const int invalid = static_cast<int>(values.size() - finite.size());
  return new_run_interval(std::move(name), estimate, std::move(finite), invalid, level);
}

}  // namespace

QuantityInterval confidence_band(const LawRun& lr, const PredictionPoint& at, double level,
                                 const std::vector<double>& covariance, std::string name) {
  const LawEntry& law = *lr.law;
  const Quantity q = [&law, at](const double* p) { return predicted_loss(law, p, at); };
  return quantity_interval(*lr.run, std::move(name), q, level, covariance);
}

std::vector<double> new_run_losses(const LawRun& lr, const Dataset& data, Space space,
                                   const PredictionPoint& at) {
  const Draws draws(data, space);
  std::vector<double> out(lr.run->resamples.size(), kNaN);
  for (std::size_t r = 0; r < out.size(); ++r) {
    if (!lr.run->resamples[r].ok()) continue;
    const ResampleView v = draws.view(lr, static_cast<long>(r));
    const double e = draws.residual(v, lr, lr.run->seed, static_cast<long>(r));
    out[r] = to_loss(curve_value(lr, static_cast<long>(r), at, space) + e, space);
  }
  return out;
}

QuantityInterval prediction_interval(const LawRun& lr, const Dataset& data, Space space,
                                     const PredictionPoint& at, double level, std::string name) {
  return interval_of_draws(std::move(name), predicted_loss(*lr.law, lr.run->full.params.data(), at),
                       new_run_losses(lr, data, space, at), level);
}

LawAveraged law_averaged(const std::vector<LawRun>& laws, const Dataset& data, Space space,
                         const PredictionPoint& at, double level) {
  if (laws.empty()) throw std::invalid_argument("law_averaged: no laws");
  const BootstrapResult& first = *laws.front().run;
  for (const LawRun& lr : laws)
    if (lr.run->scheme != first.scheme || lr.run->seed != first.seed ||
        lr.run->resamples.size() != first.resamples.size())
      throw std::invalid_argument("law_averaged: the laws' resamples differ (scheme, seed, count)");
  // One member per candidate: the first listed of laws that are one function.
  std::vector<FittedLaw> fitted;
  for (const LawRun& lr : laws) fitted.push_back({lr.law, lr.run->full.params.data()});
  const std::vector<std::size_t> candidate = fitted_candidates(fitted, data);
  std::vector<const LawRun*> members;
  LawAveraged out;
  for (std::size_t l = 0; l < laws.size(); ++l) {
    if (candidate[l] != l) continue;
    members.push_back(&laws[l]);
    out.candidates.push_back(candidate_name(*laws[l].law));
  }
  out.picked.assign(members.size(), 0.0);
  const Draws draws(data, space);
  std::vector<double> mean_values, new_values;
  for (std::size_t r = 0; r < first.resamples.size(); ++r) {
    const long rr = static_cast<long>(r);
    int best = -1;
    double best_mse = kNaN;
    ResampleView best_view;
    for (std::size_t m = 0; m < members.size(); ++m) {
      if (!members[m]->run->resamples[r].ok()) continue;
      ResampleView v = draws.view(*members[m], rr);
      const double mse = draws.out_of_bag_mse(v);
      if (!std::isfinite(mse)) continue;
      if (best < 0 || mse < best_mse) {
        best = static_cast<int>(m);
        best_mse = mse;
        best_view = std::move(v);
      }
    }
    if (best < 0) {
      ++out.skipped;
      continue;
    }
    const LawRun& lr = *members[best];
    const double curve = curve_value(lr, rr, at, space);
    mean_values.push_back(to_loss(curve, space));
    new_values.push_back(to_loss(curve + draws.residual(best_view, lr, lr.run->seed, rr), space));
    out.picked[best] += 1;
    ++out.used;
  }
  double estimate = kNaN;
  if (out.used > 0) {
    estimate = 0;
    for (std::size_t m = 0; m < members.size(); ++m) {
      out.picked[m] /= out.used;
      if (out.picked[m] > 0)
        estimate += out.picked[m] * predicted_loss(*members[m]->law,
                                                   members[m]->run->full.params.data(), at);
    }
  }
  out.confidence = interval_of_draws("law-averaged", estimate, mean_values, level);
  out.prediction = interval_of_draws("law-averaged", estimate, new_values, level);
  out.confidence.invalid = out.prediction.invalid = out.skipped;
  return out;
}

}  // namespace shannonfit

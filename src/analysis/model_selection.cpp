#include "analysis/model_selection.hpp"

#include <cmath>
#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>

#include "analysis/fit_stats.hpp"
#include "shannonfit/errors.hpp"
#include "shannonfit/resample.hpp"

namespace shannonfit {

LawFitter refits_of(const FitPlan& plan, const FitResult& full, const std::atomic<bool>* cancel) {
  return {plan, plan.refit_starts(full), cancel};
}

std::vector<FitResult> fit_weightings(const LawFitter& f, const Dataset& data,
                                      const std::vector<double>& weights) {
  const long count = static_cast<long>(weights.size() / data.size());
  std::vector<FitResult> fits = f.plan.backend.run(
      *f.plan.law, f.plan.refit_request(data, f.starts, weights.data(), nullptr, count, f.cancel));
  if (f.cancel && f.cancel->load())
    throw InterruptedError("stopped during the fits of law '" + f.plan.law->info.name + "' on " +
                           std::to_string(count) +
                           " training subsets (folds, held-out split or resamples)");
  return fits;
}

bool usable(const FitResult& r) { return r.best_start >= 0 && std::isfinite(r.cost); }

PredictionScore score_rows(const LawEntry& law, const double* params, const Dataset& data,
                           Space space, const std::vector<std::size_t>& rows) {
  PredictionScore s;
  if (rows.empty()) return s;
  const std::vector<double> y_all = targets(data, space);
  const std::vector<double> yhat_all = predict(law, params, data, space);
  std::vector<double> y, yhat;
  for (std::size_t i : rows) {
    y.push_back(y_all[i]);
    yhat.push_back(yhat_all[i]);
    s.sse += (y_all[i] - yhat_all[i]) * (y_all[i] - yhat_all[i]);
  }
  s.n = static_cast<long>(rows.size());
  s.mse = s.sse / s.n;
  if (s.n >= 2) s.r2 = r_squared(y, yhat);
  return s;
}

double total_sum_of_squares(const std::vector<double>& y) {
  if (y.empty()) return 0;
  double mean = 0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  double sst = 0;
  for (double v : y) sst += (v - mean) * (v - mean);
  return sst;
}

PredictionScore pooled_score(double sse, long n, double sst) {
  PredictionScore s;
  s.n = n;
  s.sse = sse;
  if (n > 0) s.mse = sse / static_cast<double>(n);
  if (n >= 2 && sst > 0) s.r2 = 1 - sse / sst;
  return s;
}

HoldoutScores score_holdout(const LawEntry& law, const double* params, const Dataset& data,
                            Space space, const std::vector<char>& held_out) {
  HoldoutScores h;
  std::vector<std::size_t> held;
  for (std::size_t i = 0; i < data.size(); ++i)
    if (held_out[i]) held.push_back(i);
  h.pooled = score_rows(law, params, data, space, held);
  if (data.group.empty()) return h;
  for (std::size_t g = 0; g < data.group_names.size(); ++g) {
    std::vector<std::size_t> rows;
    for (std::size_t i : held)
      if (data.group[i] == static_cast<int>(g)) rows.push_back(i);
    if (!rows.empty())
      h.groups.push_back({data.group_names[g], score_rows(law, params, data, space, rows)});
  }
  return h;
}

std::vector<int> kfold_assignment(std::size_t n, int k, std::uint64_t seed) {
  if (k < 2 || static_cast<std::size_t>(k) > n)
    throw InputError("--kfold " + std::to_string(k) + ": need 2 <= k <= rows (" +
                     std::to_string(n) + ")");
  // Fisher–Yates with Philox draws: resample index 0 of this seed is the shuffle.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t i = n; i-- > 1;) {
    const std::uint32_t j = philox_index(seed, 0, i, static_cast<std::uint32_t>(i + 1));
    std::swap(order[i], order[j]);
  }
  std::vector<int> fold(n);
  for (std::size_t pos = 0; pos < n; ++pos) fold[order[pos]] = static_cast<int>(pos % k);
  return fold;
}

std::vector<char> largest_model_rows(const Dataset& data) {
  std::vector<char> held(data.size(), 0);
  if (data.size() == 0) return held;
  const double largest = *std::max_element(data.n.begin(), data.n.end());
  for (std::size_t i = 0; i < data.size(); ++i) held[i] = data.n[i] == largest;
  return held;
}

double value_cut(const std::vector<double>& values, double fraction) {
  if (values.empty()) return 0;
  const double limit = fraction * *std::max_element(values.begin(), values.end());
  double cut = 0;
  for (double v : values)
    if (v <= limit) cut = std::max(cut, v);
  return cut;
}

std::vector<char> rows_beyond(const std::vector<double>& values, double cut) {
  std::vector<char> held(values.size(), 0);
  for (std::size_t i = 0; i < values.size(); ++i) held[i] = values[i] > cut;
  return held;
}

double token_cut(const Dataset& data, double fraction) { return value_cut(data.d, fraction); }

std::vector<char> late_token_rows(const Dataset& data, double fraction) {
  return rows_beyond(data.d, token_cut(data, fraction));
}

std::vector<char> corner_rows(const Dataset& data, double fraction) {
  std::vector<char> held = largest_model_rows(data);
  const std::vector<char> late = late_token_rows(data, fraction);
  for (std::size_t i = 0; i < held.size(); ++i) held[i] = held[i] || late[i];
  return held;
}

namespace {

const double* own_weights(const Dataset& data) {
  return data.weight.empty() ? nullptr : data.weight.data();
}

double row_weight(const Dataset& data, std::size_t i) {
  return data.weight.empty() ? 1.0 : data.weight[i];
}

}  // namespace

CvResult cross_validate(const LawFitter& f, const Dataset& data, const std::vector<int>& fold,
                        int n_folds) {
  const std::size_t n = data.size();
  std::vector<double> weights(static_cast<std::size_t>(n_folds) * n);
  for (int k = 0; k < n_folds; ++k)
    for (std::size_t i = 0; i < n; ++i)
      weights[k * n + i] = fold[i] == k ? 0.0 : row_weight(data, i);
  const std::vector<FitResult> fits = fit_weightings(f, data, weights);
  CvResult cv;
  cv.folds = n_folds;
  double sse = 0;
  for (int k = 0; k < n_folds; ++k) {
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < n; ++i)
      if (fold[i] == k) rows.push_back(i);
    if (rows.empty()) continue;
    if (!usable(fits[k])) {
      ++cv.failed;
      continue;
    }
    const PredictionScore s = score_rows(*f.plan.law, fits[k].params.data(), data, f.plan.options.space, rows);
    sse += s.sse;
    cv.scored += s.n;
  }
  if (cv.scored > 0) cv.mse = sse / cv.scored;
  return cv;
}

HoldoutResult evaluate_holdout(const LawFitter& f, const Dataset& data,
                               const std::vector<char>& held_out) {
  const std::size_t n = data.size();
  std::vector<double> weights(n);
  HoldoutResult h;
  long held = 0;
  for (std::size_t i = 0; i < n; ++i) {
    weights[i] = held_out[i] ? 0.0 : row_weight(data, i);
    if (held_out[i])
      ++held;
    else
      ++h.n_train;
  }
  if (held == 0 || h.n_train == 0)
    throw InputError(data.source + ": --holdout leaves " +
                     (held == 0 ? std::string("no rows to predict") : "no rows to fit on"));
  h.fit = fit_weightings(f, data, weights).at(0);
  if (!usable(h.fit)) return h;
  static_cast<HoldoutScores&>(h) = score_holdout(*f.plan.law, h.fit.params.data(), data, f.plan.options.space, held_out);
  return h;
}

WinRates bootstrap_win_rates(const std::vector<LawFitter>& laws, const Dataset& data,
                             const std::vector<char>* held_out, int resamples,
                             std::uint64_t seed, Scheme scheme,
                             const std::vector<std::size_t>& candidate) {
  if (candidate.size() != laws.size())
    throw std::invalid_argument("bootstrap_win_rates: one candidate per law");
  const std::size_t n = data.size();
  std::vector<std::size_t> train;
  for (std::size_t i = 0; i < n; ++i)
    if (!held_out || !(*held_out)[i]) train.push_back(i);
  const int m = static_cast<int>(train.size());
  const bool by_group = scheme == Scheme::Cluster && !data.group.empty();
  // The training rows' groups renumbered 0..G-1, for cluster draws among them only.
  std::vector<int> train_group(m);
  int n_groups = 0;
  if (by_group) {
    std::vector<int> renumber(data.group_names.size(), -1);
    for (int j = 0; j < m; ++j) {
      int& g = renumber[data.group[train[j]]];
      if (g < 0) g = n_groups++;
      train_group[j] = g;
    }
  }
  // Weights over the training rows, scattered into full-length weightings.
  std::vector<double> weights(static_cast<std::size_t>(resamples) * n, 0.0), counts(m);
  std::vector<double> own(m);
  std::vector<int> group_counts(n_groups);
  for (int j = 0; j < m; ++j) own[j] = row_weight(data, train[j]);
  const double* own_or_null = own_weights(data) ? own.data() : nullptr;
  for (int r = 0; r < resamples; ++r) {
    if (by_group)
      cluster_weights(seed, static_cast<std::uint64_t>(r), m, train_group.data(), n_groups,
                      own_or_null, group_counts.data(), counts.data());
    else
      case_weights(seed, static_cast<std::uint64_t>(r), m, own_or_null, counts.data());
    for (int j = 0; j < m; ++j) weights[r * n + train[j]] = counts[j];
  }
  // Rows each resample is scored on.
  std::vector<std::vector<std::size_t>> eval(resamples);
  for (int r = 0; r < resamples; ++r)
    for (std::size_t i = 0; i < n; ++i) {
      const bool held = held_out ? (*held_out)[i] != 0 : weights[r * n + i] == 0.0;
      if (held) eval[r].push_back(i);
    }

  WinRates w;
  w.resamples = resamples;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  w.mse.assign(laws.size(), std::vector<double>(resamples, nan));
  w.r2 = w.mse;
  for (std::size_t l = 0; l < laws.size(); ++l) {
    w.fits.push_back(fit_weightings(laws[l], data, weights));
    const std::vector<FitResult>& fits = w.fits.back();
    for (int r = 0; r < resamples; ++r) {
      if (!usable(fits[r]) || eval[r].empty()) continue;
      const PredictionScore s = score_rows(*laws[l].plan.law, fits[r].params.data(), data,
                                           laws[l].plan.options.space, eval[r]);
      w.mse[l][r] = s.mse;
      w.r2[l][r] = s.r2;
    }
  }
  std::vector<double> wins(laws.size(), 0.0);
  for (int r = 0; r < resamples; ++r) {
    bool complete = true;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t l = 0; l < laws.size(); ++l) {
      if (!std::isfinite(w.mse[l][r])) complete = false;
      else best = std::min(best, w.mse[l][r]);
    }
    if (!complete) continue;
    ++w.valid;
    std::set<std::size_t> tied;
    for (std::size_t l = 0; l < laws.size(); ++l)
      if (w.mse[l][r] == best) tied.insert(candidate[l]);
    for (std::size_t c : tied) wins[c] += 1.0 / static_cast<double>(tied.size());
  }
  for (std::size_t l = 0; l < laws.size(); ++l)
    w.rate.push_back(w.valid > 0 ? wins[candidate[l]] / w.valid : nan);
  return w;
}

}  // namespace shannonfit

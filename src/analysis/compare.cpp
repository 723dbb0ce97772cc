#include "analysis/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "analysis/fit_stats.hpp"
#include "laws/equivalence.hpp"

namespace shannonfit {

// Percentile interval of a statistic over the resamples, leaving out the non-finite ones.
QuantityInterval resample_interval(const char* name, double estimate,
                                   const std::vector<double>& values, double level) {
  std::vector<double> finite;
  for (double v : values)
    if (std::isfinite(v)) finite.push_back(v);
  const int invalid = static_cast<int>(values.size() - finite.size());
  return bootstrap_interval(name, estimate, finite, invalid, {}, level,
                            std::numeric_limits<double>::quiet_NaN());
}

// `seed` is this slice's: slices draw independent folds and resamples.
SliceComparison compare_slice(const Dataset& data, const std::string& label,
                              const std::string& by_value, const CompareRequest& req,
                              std::uint64_t seed) {
  SliceComparison s;
  s.data = &data;
  s.label = label;
  s.by_value = by_value;
  s.held_out = req.held_out;
  const bool split = !s.held_out.empty();
  if (split) {
    const std::vector<double> y = targets(data, req.plans.front().options.space);
    for (std::size_t i = 0; i < data.size(); ++i)
      if (s.held_out[i]) s.held_y.push_back(y[i]);
  }
  std::vector<int> folds;
  if (req.kfold >= 2) folds = kfold_assignment(data.size(), req.kfold, seed);

  std::vector<LawFitter> fitters;
  for (const FitPlan& plan : req.plans) {
    const LawEntry* law = plan.law;
    LawComparison o;
    o.full = run_fit(plan, data, label, req.cancel);
    o.full.by_value = by_value;
    const LawFitter f = refits_of(plan, o.full.result, req.cancel);
    fitters.push_back(f);
    if (!folds.empty()) o.kfold = cross_validate(f, data, folds, req.kfold);
    if (!data.group.empty())
      o.logo = cross_validate(f, data, data.group, static_cast<int>(data.group_names.size()));
    if (split) o.holdout = evaluate_holdout(f, data, s.held_out);
    const FitResult& best = split ? o.holdout.fit : o.full.result;
    for (double n : req.basin_n)
      o.basin.push_back(token_optimum(*law, best.params.data(), n, req.basin_x));
    s.laws.push_back(std::move(o));
  }

  std::vector<FittedLaw> fitted;
  for (const LawComparison& o : s.laws)
    fitted.push_back({o.full.law, usable(o.full.result) ? o.full.result.params.data() : nullptr});
  s.candidate = fitted_candidates(fitted, data);

  if (req.resamples > 0) {
    s.scheme = req.scheme;
    const WinRates w = bootstrap_win_rates(fitters, data, split ? &s.held_out : nullptr,
                                           req.resamples, seed, req.scheme, s.candidate);
    s.win_valid = w.valid;
    for (std::size_t l = 0; l < req.plans.size(); ++l) {
      LawComparison& o = s.laws[l];
      const LawEntry& law = *req.plans[l].law;
      o.win_rate = w.rate[l];
      if (split) {
        o.holdout_r2 = resample_interval("held-out R2", o.holdout.pooled.r2, w.r2[l], req.level);
        o.holdout_mse = resample_interval("held-out MSE", o.holdout.pooled.mse, w.mse[l], req.level);
        const long held = static_cast<long>(s.held_y.size());
        for (double mse : w.mse[l]) o.resample_sse.push_back(mse * static_cast<double>(held));
        std::vector<std::vector<double>> group_values(o.holdout.groups.size());
        for (const FitResult& r : w.fits[l]) {
          HoldoutScores scores;
          if (usable(r))
            scores = score_holdout(law, r.params.data(), data, fitters[l].plan.options.space,
                                   s.held_out);
          for (std::size_t g = 0; g < group_values.size(); ++g)
            group_values[g].push_back(g < scores.groups.size()
                                          ? scores.groups[g].score.r2
                                          : std::numeric_limits<double>::quiet_NaN());
        }
        for (std::size_t g = 0; g < group_values.size(); ++g)
          o.group_r2.push_back(resample_interval("held-out R2", o.holdout.groups[g].score.r2,
                                                 group_values[g], req.level));
      }
      for (std::size_t b = 0; b < req.basin_n.size(); ++b) {
        std::vector<double> ds;
        for (const FitResult& r : w.fits[l])
          if (usable(r)) {
            const TokenOptimum t = token_optimum(law, r.params.data(), req.basin_n[b], req.basin_x);
            if (t.ok) ds.push_back(t.d);
          }
        std::sort(ds.begin(), ds.end());
        const double nan = std::numeric_limits<double>::quiet_NaN();
        o.basin_interval.push_back(
            ds.empty() ? std::make_pair(nan, nan)
                       : std::make_pair(quantile_sorted(ds, (1 - req.level) / 2),
                                        quantile_sorted(ds, (1 + req.level) / 2)));
      }
    }
  }

  // Rank by what best measures prediction: held-out error, else cross-validation (leaving whole
  // groups out when rows share one: random folds over one curve's checkpoints leak between
  // folds), else AICc.
  const bool grouped = data.group_names.size() >= 2;
  auto key = [&](const LawComparison& o) {
    if (split) return o.holdout.pooled.mse;
    if (grouped) return o.logo.mse;
    if (!folds.empty()) return o.kfold.mse;
    return o.full.summary.quality.criteria.aicc;
  };
  s.ranked_by = split     ? "held-out MSE"
                : grouped ? "leave-one-group-out CV MSE"
                          : (!folds.empty() ? "k-fold CV MSE" : "AICc");
  // Laws that are one function rank as their candidate (the first listed of them): side by side,
  // with one rank, so that rounding never puts one name of a function above another.
  s.order.resize(req.plans.size());
  for (std::size_t i = 0; i < s.order.size(); ++i) s.order[i] = i;
  std::stable_sort(s.order.begin(), s.order.end(), [&](std::size_t x, std::size_t y) {
    const std::size_t cx = s.candidate[x], cy = s.candidate[y];
    const double kx = key(s.laws[cx]), ky = key(s.laws[cy]);
    if (cx == cy) return x < y;
    if (std::isfinite(kx) != std::isfinite(ky)) return std::isfinite(kx);
    if (kx != ky) return kx < ky;
    return cx < cy;
  });
  s.rank.assign(s.order.size(), 0);
  for (std::size_t r = 0; r < s.order.size(); ++r) {
    const std::size_t l = s.order[r];
    s.rank[l] = r > 0 && s.candidate[s.order[r - 1]] == s.candidate[l] ? s.rank[s.order[r - 1]]
                                                                        : static_cast<int>(r + 1);
  }
  return s;
}

PooledSlices pool_slices(const std::vector<SliceComparison>& slices, int resamples, double level) {
  PooledSlices p;
  std::vector<double> y;
  for (const SliceComparison& s : slices) y.insert(y.end(), s.held_y.begin(), s.held_y.end());
  p.rows = static_cast<long>(y.size());
  const double sst = total_sum_of_squares(y);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::size_t n_laws = slices.front().laws.size();
  std::vector<std::vector<double>> sse(n_laws, std::vector<double>(resamples, 0.0));
  for (std::size_t l = 0; l < n_laws; ++l) {
    PooledLaw pl;
    pl.law = slices.front().laws[l].full.law;
    pl.index = l;
    double point = 0;
    for (const SliceComparison& s : slices) {
      const LawComparison& o = s.laws[l];
      point += o.holdout.pooled.n > 0 ? o.holdout.pooled.sse : nan;
      for (int r = 0; r < resamples; ++r) sse[l][r] += o.resample_sse.at(r);
    }
    pl.score = pooled_score(point, p.rows, sst);
    std::vector<double> r2, mse;
    for (double v : sse[l]) {
      const PredictionScore b = pooled_score(v, p.rows, sst);
      r2.push_back(b.r2);
      mse.push_back(b.mse);
    }
    if (resamples > 0) {
      pl.r2 = resample_interval("pooled held-out R2", pl.score.r2, r2, level);
      pl.mse = resample_interval("pooled held-out MSE", pl.score.mse, mse, level);
    }
    p.laws.push_back(pl);
  }
  // Laws are one candidate over the pool when they are one in every slice; a win tied between
  // candidates is split, as within a slice.
  std::vector<std::size_t> candidate = slices.front().candidate;
  for (const SliceComparison& s : slices)
    for (std::size_t l = 0; l < n_laws; ++l)
      if (s.candidate[l] != candidate[l]) candidate[l] = l;
  std::vector<double> wins(n_laws, 0.0);
  for (int r = 0; r < resamples; ++r) {
    double best = std::numeric_limits<double>::infinity();
    bool complete = true;
    for (std::size_t l = 0; l < n_laws; ++l) {
      if (!std::isfinite(sse[l][r])) complete = false;
      else best = std::min(best, sse[l][r]);
    }
    if (!complete) continue;
    ++p.win_valid;
    std::set<std::size_t> tied;
    for (std::size_t l = 0; l < n_laws; ++l)
      if (sse[l][r] == best) tied.insert(candidate[l]);
    for (std::size_t c : tied) wins[c] += 1.0 / static_cast<double>(tied.size());
  }
  if (resamples > 0)
    for (std::size_t l = 0; l < n_laws; ++l)
      p.laws[l].win_rate = p.win_valid > 0 ? wins[candidate[l]] / p.win_valid : nan;
  // Ranked as within a slice: laws that are one function side by side, with one rank.
  std::vector<double> pooled_mse(n_laws);
  for (const PooledLaw& pl : p.laws) pooled_mse[pl.index] = pl.score.mse;
  std::stable_sort(p.laws.begin(), p.laws.end(), [&](const PooledLaw& x, const PooledLaw& y) {
    const std::size_t cx = candidate[x.index], cy = candidate[y.index];
    if (cx == cy) return x.index < y.index;
    const double kx = pooled_mse[cx], ky = pooled_mse[cy];
    if (std::isfinite(kx) != std::isfinite(ky)) return std::isfinite(kx);
    if (kx != ky) return kx < ky;
    return cx < cy;
  });
  for (std::size_t r = 0; r < p.laws.size(); ++r)
    p.laws[r].rank = r > 0 && candidate[p.laws[r - 1].index] == candidate[p.laws[r].index]
                         ? p.laws[r - 1].rank
                         : static_cast<int>(r + 1);
  return p;
}

}  // namespace shannonfit

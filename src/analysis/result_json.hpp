#pragma once
// One serializer per result type, shared by every command (fit, bootstrap, predict, compare,
// analyze, backtest), the report and the Python module, so a fit, an interval or a prediction
// reads the same wherever it appears. docs/schema/shannonfit-results.schema.json describes
// every document these build; raise kSchemaVersion with any change a reader would notice.
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/fit_record.hpp"
#include "analysis/intervals.hpp"
#include "analysis/prediction.hpp"

namespace shannonfit {

constexpr int kSchemaVersion = 2;

// A document of `command`: {"schema": "shannonfit-results", "schema_version": ...,
// "command": command, "version": the tool's version} followed by `fields` (an object).
nlohmann::json result_document(const std::string& command,
                               const nlohmann::json& fields = nlohmann::json::object());

// "Huber(delta=0.001) on ln L" and the like.
std::string describe_objective(const FitOptions& options);

// The fit: law, objective, starts and their outcomes, parameters with standard errors,
// statistics, identifiability and covariance. `by_column` is the --by column (empty: none).
nlohmann::json fit_json(const FitRecord& r, const std::string& by_column = "");
// {"start_outcomes": ..., "best_fit": ...}: the part of fit_json about the starts' health.
nlohmann::json fit_health_json(const FitRecord& r);

// A bootstrap interval of one quantity: estimate, bootstrap SE and bias, BCa's z0 and
// acceleration, the asymptotic SE, every method's interval under its name, and under "interval"
// the one shown for `method` with the method that gave it under "method" (shown()).
nlohmann::json interval_json(const QuantityInterval& q,
                             const IntervalMethod& method = default_interval_method());

// The percentile interval of a statistic over resamples (a held-out score, a win rate), where
// no other method applies: {"level", "lo", "hi", "resamples_used"}.
nlohmann::json percentile_interval_json(const QuantityInterval& q);

// One entry per point: the confidence band's interval_json with N, D, x (the solver's three
// values per row), "at" (the point in the laws' own variables, named by `keys`: {"N", "D"} for
// N and D, {"params", "tokens"} for a law over those columns), and under "prediction" the
// new-run interval shown for `method` when `new_run` is not empty.
nlohmann::json predictions_json(const std::vector<PredictionPoint>& points,
                                const std::vector<QuantityInterval>& confidence,
                                const std::vector<QuantityInterval>& new_run,
                                const IntervalMethod& method, const PointKeys& keys);
// A point in the laws' own variables: {"params": 6.9e9, "tokens": 2e11}.
nlohmann::json point_json(const PointKeys& keys, const PredictionPoint& point);

// One law in a model selection: the full-data fit's quality and what the ranking compares.
// A score that was not computed (no split, no resamples, no groups) is NaN.
struct SelectionEntry {
  const LawEntry* law = nullptr;
  std::string candidate;  // the candidate it ranks as: laws that are one function share one
  int rank = 0;           // 1 = best; laws of one candidate share a rank
  FitQuality quality{};
  double cv_mse = std::numeric_limits<double>::quiet_NaN();
  double logo_mse = std::numeric_limits<double>::quiet_NaN();
  double holdout_mse = std::numeric_limits<double>::quiet_NaN();
  double holdout_r2 = std::numeric_limits<double>::quiet_NaN();
  double win_rate = std::numeric_limits<double>::quiet_NaN();
};

struct SelectionSummary {
  std::string ranked_by;
  std::vector<SelectionEntry> laws;  // best first
  int win_rate_resamples_used = 0;
  std::string win_rate_scheme;       // "": no win-rate resamples
};

// A model selection, as `compare` writes each slice and `analyze` its "selection":
// {"ranked_by", "win_rate_resamples_used", "win_rate_scheme" (with resamples), "laws": best
// first, each {"law", "rank", "candidate", "k", "n", "rss", "r2", "aic", "aicc", "bic",
// "delta_aic", "delta_bic", "akaike_weight", "cv_mse", "logo_mse", "holdout_mse", "holdout_r2",
// "win_rate"}}, null for a score not computed. ΔAIC and ΔBIC are from the best finite one among
// the laws; the Akaike weights exp(−ΔAIC/2) are normalised over them.
nlohmann::json selection_json(const SelectionSummary& s);

}  // namespace shannonfit

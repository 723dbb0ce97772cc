#pragma once
// What a set of laws reads from the data and how their fits start, as the user states it: the
// part of a command's set-up that the CLI (cli/common.hpp) and the Python module share, so that a
// law over its own columns, --space, --start and --tolerance mean the same in both.
#include <string>
#include <vector>

#include "analysis/fit_plan.hpp"
#include "analysis/prediction.hpp"
#include "io/csv.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit {

// `map` for these laws: a formula law's own columns in place of N, D or x (formula/formula.hpp's
// ColumnBinding), N and D read only when a law uses them, and a response of any sign in linear
// space. Laws that read different data in one place are an InputError.
io::ColumnMap bind_law_columns(io::ColumnMap map, const std::vector<const LawEntry*>& laws,
                               Space space);
// What a point's keys name for these laws: N, D and x, or a formula law's own columns.
PointKeys point_keys(const std::vector<const LawEntry*>& laws);
// What outputs call the response read from `column`: "loss" for the built-in laws and for a
// column named as a loss (loss, val_loss, L...); else, for a formula law's response that is no
// loss (an accuracy), the column's name.
std::string response_name(const std::vector<const LawEntry*>& laws, const std::string& column);

// The space the laws are fitted in: `requested` ("log" or "linear") when not empty, else the
// laws' own (a law file's "space"; log for built-in laws). Laws of different spaces with nothing
// requested are an InputError naming `option`.
Space fit_space(const std::vector<const LawEntry*>& laws, const std::string& requested,
                const std::string& option = "--space");

// The full-data starts of one law, in solver space, from "NAME=VALUE,..." specs in the law's
// reported units (one start each); a parameter not named starts at the law's single default
// start. InputError, naming `option`, for an unknown name (with a "did you mean"), a value given
// twice, not a finite number or outside the parameter's bounds, or for several laws.
std::vector<double> parse_starts(const std::vector<const LawEntry*>& laws,
                                 const std::vector<std::string>& specs,
                                 const std::string& option = "--start");

// One tolerance for all three convergence tests (relative step, relative change of the
// objective, gradient); 0 keeps FitOptions' defaults. Beyond kMaxTolerance a "converged" fit
// would say little, so that is an InputError naming `option`.
constexpr double kMaxTolerance = 1e-2;
void set_tolerance(FitOptions& options, double tolerance, const std::string& option = "--tolerance");

}  // namespace shannonfit

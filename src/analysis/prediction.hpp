#pragma once
// Where to predict: points given as --at N=12e9,D=307e9[,x=0.1] (or in a formula law's own
// variables), a grid file, or curves (the law against one variable for several values of the
// others) for plotting bands.
#include <string>
#include <vector>

#include "shannonfit/batch.hpp"

namespace shannonfit {

struct PredictionPoint {
  double n = 0, d = 0, x = 0;
};

// The law's loss (not its log) at one point.
double predicted_loss(const LawEntry& law, const double* params, const PredictionPoint& at);

// What a point's keys are called: N, D and x, or the columns a formula law reads in their place
// (formula/formula.hpp's ColumnBinding). A point must give the values its laws read.
struct PointKeys {
  std::string n = "N", d = "D", x = "x";
  bool need_n = true, need_d = true, need_x = false;
  // The places ('n', 'd', 'x') in the order outputs list them: N, D, then a formula law's own
  // columns in the order the law declares them.
  std::string order = "ndx";
  // Some key is a formula law's own column rather than N, D or x.
  bool own_columns() const { return n != "N" || d != "D" || x != "x"; }
  const std::string& name(char place) const { return place == 'n' ? n : place == 'd' ? d : x; }
  bool needed(char place) const { return place == 'n' ? need_n : place == 'd' ? need_d : need_x; }
  // The places a table of points has a column for: N, D and x for N, D and x (so that tables
  // keep one shape), else the law's own columns.
  std::string table_places() const;
};
// "N=...,D=..." or "params=...,tokens=...": how to write a point of these laws.
std::string describe_keys(const PointKeys& keys);

// A point's value in one place ('n', 'd' or 'x').
double value_at(const PredictionPoint& p, char place);
double& value_at(PredictionPoint& p, char place);
// A dataset's column in one place: n, d, or x (empty where the data have none).
const std::vector<double>& values_at(const Dataset& data, char place);
// The variables a point of these laws has, in keys.order: the keys read, and an optional x
// when it is not 0.
struct NamedValue {
  char place;
  std::string name;
  double value;
};
std::vector<NamedValue> named_values(const PointKeys& keys, const PredictionPoint& p);
// "N=12B, D=307B" or "params=6.9B, tokens=200B": sizes, token counts and any own column in
// human units (io::format_quantity).
std::string describe_point(const PointKeys& keys, const PredictionPoint& p);

// "N=12e9,D=307e9" with an optional ",x=0.5" (keys case-insensitive), or the law's own names.
// A value the laws do not read is 1 (N, D) or 0 (x), as in the data. Throws InputError naming
// the option and the offending text.
PredictionPoint parse_point(const std::string& spec, const PointKeys& keys = {});

// Curves for plotting bands: "N=1e9,1e10:D=1e9..1e12:50[:x=0.5]", or the same in the law's own
// keys ("params=1e9,1e10:tokens=1e9..1e12:50"), the items in any order: one KEY=FROM..TO swept
// over `points` values (evenly in the logarithm for N, D and a positive range of a law's own
// column, else evenly),
// a point count, and KEY=v1,v2,... lists for the other variables the laws read (a curve per
// combination). Throws InputError on malformed text.
struct CurveSpec {
  char sweep = 'd';  // the place swept
  double from = 0, to = 0;
  bool log_spaced = true;
  int points = 0;
  // The other places' values (a curve per combination); a place not given holds its default.
  std::vector<std::pair<char, std::vector<double>>> fixed;
};
CurveSpec parse_curves(const std::string& spec, const PointKeys& keys = {});
std::vector<PredictionPoint> curve_points(const CurveSpec& spec);

// A CSV with a column per key (N and D, optionally x; or the law's own columns): one point per
// row. Errors name file, line and column.
std::vector<PredictionPoint> read_grid(const std::string& path, const PointKeys& keys = {});

}  // namespace shannonfit

#pragma once
// Where to predict: points given as --at N=12e9,D=307e9[,x=0.1], a grid file, or curves
// (loss against D for several N) for plotting bands.
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
};

// "N=12e9,D=307e9" with an optional ",x=0.5" (keys case-insensitive), or the law's own names.
// A value the laws do not read is 1 (N, D) or 0 (x), as in the data. Throws InputError naming
// the option and the offending text.
PredictionPoint parse_point(const std::string& spec, const PointKeys& keys = {});

// "N=1e9,1e10:D=1e9..1e12:50[:x=0.5]": for each N, `points` values of D spaced evenly in ln D
// from the first to the last. Throws InputError on malformed text.
struct CurveSpec {
  std::vector<double> n;
  double d_from = 0, d_to = 0;
  int points = 0;
  double x = 0;
};
CurveSpec parse_curves(const std::string& spec);
std::vector<PredictionPoint> curve_points(const CurveSpec& spec);

// A CSV with columns N and D (and optionally x): one point per row. Errors name file and line.
std::vector<PredictionPoint> read_grid(const std::string& path);

}  // namespace shannonfit

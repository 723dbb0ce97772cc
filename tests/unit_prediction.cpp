#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "analysis/prediction.hpp"
#include "shannonfit/errors.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;

TEST(Prediction, LossAtAPointIsTheLaw) {
  const LawEntry& law = find_law("chinchilla");
  const synth::ChinchillaTruth t;
  const auto p = t.solver();
  EXPECT_NEAR(predicted_loss(law, p.data(), {12e9, 307e9, 0}), t.loss(12e9, 307e9), 1e-12);
}

TEST(Prediction, ParsesPoints) {
  const PredictionPoint p = parse_point("N=12e9,D=307e9");
  EXPECT_EQ(p.n, 12e9);
  EXPECT_EQ(p.d, 307e9);
  EXPECT_EQ(p.x, 0);
  EXPECT_EQ(parse_point("n=1e9,d=2e10,x=0.25").x, 0.25);
  for (const char* bad : {"N=12e9", "N=abc,D=1", "N=-1,D=5", "N=1,D=0", "N=1,D=2,z=3", "12e9,307e9"})
    EXPECT_THROW(parse_point(bad), InputError) << bad;
}

TEST(Prediction, ParsesCurves) {
  const CurveSpec c = parse_curves("N=1e9,1e10:D=1e9..1e12:4");
  EXPECT_EQ(c.sweep, 'd');
  EXPECT_EQ(c.points, 4);
  const auto pts = curve_points(c);
  ASSERT_EQ(pts.size(), 8u);
  EXPECT_NEAR(pts[0].d, 1e9, 1e-3);
  EXPECT_NEAR(pts[1].d, 1e10, 1e-2);
  EXPECT_NEAR(pts[3].d, 1e12, 1);
  EXPECT_EQ(pts[4].n, 1e10);
  EXPECT_EQ(curve_points(parse_curves("N=1e9:D=1e9..1e10:2:x=0.5"))[1].x, 0.5);
  // The items in any order: the range is what is swept.
  const auto swapped = curve_points(parse_curves("D=1e9..1e10:N=1e9:3"));
  ASSERT_EQ(swapped.size(), 3u);
  EXPECT_EQ(swapped[2].n, 1e9);
  EXPECT_NEAR(swapped[2].d, 1e10, 1e-2);
  for (const char* bad : {"N=1e9", "N=1e9:D=1e9:10", "N=1e9:D=1e9..1e10:1", "N=1e9:D=1e9..1e10:2.5",
                          "N=1e9..1e10:D=1e9..1e10:3", "N=1e9:D=1e9..abc:3",
                          "N=1e9:D=1e9..1e10:3:y=1", "D=1e9..1e10:3"})
    EXPECT_THROW(parse_curves(bad), InputError) << bad;
}

// A law acc(params, tokens) reads params in x's place and tokens in N's (ColumnBinding).
PointKeys own_keys() {
  PointKeys k;
  k.x = "params", k.n = "tokens";
  k.need_x = true, k.need_d = false;
  k.order = "xn";
  return k;
}

TEST(Prediction, CurvesGridsAndPointsInALawsOwnVariables) {
  const PointKeys keys = own_keys();
  EXPECT_TRUE(keys.own_columns());
  EXPECT_FALSE(PointKeys{}.own_columns());
  EXPECT_EQ(keys.table_places(), "xn");
  EXPECT_EQ(PointKeys{}.table_places(), "ndx");
  const auto pts = curve_points(parse_curves("params=1e9,1e10:tokens=1e9..1e12:4", keys));
  ASSERT_EQ(pts.size(), 8u);
  EXPECT_EQ(pts[5].x, 1e10);
  EXPECT_NEAR(pts[5].n, 1e10, 1e-2);  // swept evenly in the logarithm
  EXPECT_EQ(pts[5].d, 1);             // not read: as in the data
  // A positive own column in x's place is swept in the logarithm too.
  EXPECT_NEAR(curve_points(parse_curves("params=1e8..1e10:tokens=1e9:3", keys))[1].x, 1e9, 1e-3);
  try {
    parse_curves("N=1e9:D=1e9..1e10:3", keys);
    FAIL() << "N accepted for a law over params and tokens";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown key 'N'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("params=...:tokens=..."), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_curves("params=1e9..1e10:4", keys), InputError);  // tokens missing
  const PredictionPoint p = parse_point("tokens=200B,params=6.9B", keys);
  EXPECT_EQ(describe_point(keys, p), "params=6.9B, tokens=200B");
  EXPECT_EQ(describe_point(PointKeys{}, {12e9, 307e9, 0}), "N=12B, D=307B");
  EXPECT_EQ(describe_keys(keys), "params=...,tokens=...");

  const std::string dir = ::testing::TempDir();
  const std::string good = dir + "/own_grid.csv", bad = dir + "/own_grid_bad.csv";
  {
    std::ofstream(good) << "tokens,params\n2e11,6.9e9\n3e11,1e9\n";
    std::ofstream(bad) << "N,D\n1e9,2e10\n";
  }
  const auto grid = read_grid(good, keys);
  ASSERT_EQ(grid.size(), 2u);
  EXPECT_EQ(grid[0].x, 6.9e9);
  EXPECT_EQ(grid[1].n, 3e11);
  try {
    read_grid(bad, keys);
    FAIL() << "a grid of N and D accepted for a law over params and tokens";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no column 'params'"), std::string::npos) << e.what();
  }
}

TEST(Prediction, ReadsAGridFileAndNamesBadCells) {
  const std::string dir = ::testing::TempDir();
  const std::string good = dir + "/grid_good.csv", bad = dir + "/grid_bad.csv";
  {
    std::ofstream(good) << "N,D,x\n1e9,2e10,0.5\n3e9,6e10,0\n";
    std::ofstream(bad) << "N,D\n1e9,2e10\n3e9,-6\n";
  }
  const auto pts = read_grid(good);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[1].n, 3e9);
  EXPECT_EQ(pts[0].x, 0.5);
  try {
    read_grid(bad);
    FAIL() << "negative D accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("grid_bad.csv:3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'D'"), std::string::npos) << e.what();
  }
}

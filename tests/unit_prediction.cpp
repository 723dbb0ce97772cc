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
  ASSERT_EQ(c.n.size(), 2u);
  EXPECT_EQ(c.points, 4);
  const auto pts = curve_points(c);
  ASSERT_EQ(pts.size(), 8u);
  EXPECT_NEAR(pts[0].d, 1e9, 1e-3);
  EXPECT_NEAR(pts[1].d, 1e10, 1e-2);
  EXPECT_NEAR(pts[3].d, 1e12, 1);
  EXPECT_EQ(pts[4].n, 1e10);
  EXPECT_EQ(parse_curves("N=1e9:D=1e9..1e10:2:x=0.5").x, 0.5);
  for (const char* bad : {"N=1e9", "N=1e9:D=1e9:10", "N=1e9:D=1e9..1e10:1", "N=1e9:D=1e9..1e10:2.5",
                          "D=1e9..1e10:N=1e9:3", "N=1e9:D=1e9..abc:3", "N=1e9:D=1e9..1e10:3:y=1"})
    EXPECT_THROW(parse_curves(bad), InputError) << bad;
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

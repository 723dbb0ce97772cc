// report.html as a reader sees it: `analyze` with figures, then headless Chromium loads the page
// and the page's own script reports whether every embedded figure decoded. Skips only when
// Chromium or matplotlib is absent (tools/setup.sh installs both, so CI runs it).
#include <gtest/gtest.h>

#include <filesystem>

#include "analysis/report.hpp"
#include "support/cli.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;
using shannonfit::testing::read_file;
using shannonfit::testing::run_program;
using shannonfit::testing::run_shannonfit;
namespace fs = std::filesystem;

namespace {

bool have(const std::string& shell_test) { return run_program({"sh", "-c", shell_test}).code == 0; }

}  // namespace

TEST(ReportBrowser, ChromiumRendersThePageWithEveryFigure) {
  if (!have("command -v chromium")) GTEST_SKIP() << "chromium is not installed";
  if (!have("'" + report::python() + "' -c 'import matplotlib'"))
    GTEST_SKIP() << "matplotlib is not importable by " << report::python();
  const shannonfit::testing::TempDir tmp;
  const fs::path dir = tmp.path();
  const std::string data = tmp.write("runs.csv", synth::to_csv(synth::chinchilla_data(0.01, 4)));
  const fs::path out = dir / "report";
  const auto r =
      run_shannonfit({"analyze", data, "--law", "chinchilla,kaplan", "--starts", "single",
                      "--resamples", "20", "--at", "N=1e11,D=2e12", "--out", out.string()},
                     tmp);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("report folder: " + out.string()), std::string::npos) << r.out;

  int pngs = 0;
  for (const char* name : {"fit_chinchilla", "fit_kaplan", "residuals", "predictions",
                           "selection", "pairs_chinchilla", "pairs_kaplan"}) {
    EXPECT_TRUE(fs::exists(out / "figures" / (std::string(name) + ".png"))) << name;
    EXPECT_TRUE(fs::exists(out / "figures" / (std::string(name) + ".svg"))) << name;
    ++pngs;
  }

  // Every figure labels its axes, and each fit figure marks the target and labels it in human
  // units (the ids plot_report.py gives those elements in the SVG, where text stays text).
  int svgs = 0;
  for (const auto& entry : fs::directory_iterator(out / "figures")) {
    if (entry.path().extension() != ".svg") continue;
    ++svgs;
    const std::string svg = read_file(entry.path());
    const std::string name = entry.path().stem().string();
    EXPECT_NE(svg.find("id=\"xlabel-"), std::string::npos) << name << ": no x-axis label";
    EXPECT_NE(svg.find("id=\"ylabel-"), std::string::npos) << name << ": no y-axis label";
    EXPECT_NE(svg.find("id=\"legend_"), std::string::npos) << name << ": no legend";
    if (name.rfind("fit_", 0) == 0) {
      EXPECT_NE(svg.find("id=\"target-"), std::string::npos) << name << ": no target marker";
      EXPECT_NE(svg.find("target N=100B, D=2T"), std::string::npos) << name;
      EXPECT_NE(svg.find("90% confidence band"), std::string::npos) << name;
    }
  }
  EXPECT_EQ(svgs, pngs);

  // Self-contained: every image is inline, nothing is fetched from elsewhere.
  const std::string html = read_file(out / "report.html");
  // (A plain scan: std::regex recurses per character and overflows on megabytes of base64.)
  int inline_images = 0;
  for (std::size_t at = html.find("<img"); at != std::string::npos; at = html.find("<img", at + 1)) {
    const std::size_t src = html.find("src='", at);
    ASSERT_NE(src, std::string::npos);
    EXPECT_EQ(html.compare(src + 5, 22, "data:image/png;base64,"), 0) << html.substr(src, 60);
    ++inline_images;
  }
  EXPECT_EQ(inline_images, pngs);

  shannonfit::testing::CliOptions within_two_minutes;
  within_two_minutes.timeout_s = 120;
  const auto chromium =
      run_program({"chromium", "--headless", "--disable-gpu", "--no-sandbox",
                   "--user-data-dir=" + (dir / "profile").string(), "--virtual-time-budget=10000",
                   "--dump-dom", "file://" + fs::absolute(out / "report.html").string()},
                  within_two_minutes);
  ASSERT_EQ(chromium.code, 0) << chromium.err;
  const std::string& rendered = chromium.out;
  const std::string expected = "data-images=\"" + std::to_string(pngs) + "/" + std::to_string(pngs) + "\"";
  EXPECT_NE(rendered.find(expected), std::string::npos)
      << "figures that decoded: " << rendered.substr(rendered.find("<body"), 80);
  EXPECT_NE(rendered.find("data-images-ok=\"true\""), std::string::npos);
  // The answer first: the prediction in human units with its interval's level and kind, then
  // which law wins.
  const std::size_t answer = rendered.find("Predicted loss at N = 100B parameters, D = 2T tokens");
  const std::size_t verdict = rendered.find("chinchilla wins");
  ASSERT_NE(answer, std::string::npos);
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_LT(answer, verdict);
  EXPECT_NE(rendered.find("90% prediction interval"), std::string::npos);
  EXPECT_NE(rendered.find("90% confidence band"), std::string::npos);
  EXPECT_LT(verdict, rendered.find("Ranking in detail"));
}

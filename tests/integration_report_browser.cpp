// report.html as a reader sees it: `analyze` with figures, then headless Chromium loads the page
// and the page's own script reports whether every embedded figure decoded. Skips only when
// Chromium or matplotlib is absent (tools/setup.sh installs both, so CI runs it).
#include <gtest/gtest.h>

#include <filesystem>

#include "analysis/report.hpp"
#include "support/cli_run.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;
using shannonfit::testing::read_text;
using shannonfit::testing::run_cli;
namespace fs = std::filesystem;

namespace {

bool have(const std::string& shell_test) { return std::system((shell_test + " >/dev/null 2>&1").c_str()) == 0; }

}  // namespace

TEST(ReportBrowser, ChromiumRendersThePageWithEveryFigure) {
  if (!have("command -v chromium")) GTEST_SKIP() << "chromium is not installed";
  if (!have("'" + report::python() + "' -c 'import matplotlib'"))
    GTEST_SKIP() << "matplotlib is not importable by " << report::python();
  const fs::path dir = shannonfit::testing::scratch_dir("report_browser");
  const fs::path data = dir / "runs.csv";
  shannonfit::testing::write_csv(synth::chinchilla_data(0.01, 4), data);
  const fs::path out = dir / "report";
  const auto r = run_cli("analyze '" + data.string() + "' --law chinchilla,kaplan --starts single "
                         "--resamples 20 --at N=1e11,D=2e12 --out '" + out.string() + "'", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("report folder: " + out.string()), std::string::npos) << r.out;

  int pngs = 0;
  for (const char* name : {"fit_chinchilla", "fit_kaplan", "residuals", "predictions",
                           "selection", "pairs_chinchilla", "pairs_kaplan"}) {
    EXPECT_TRUE(fs::exists(out / "figures" / (std::string(name) + ".png"))) << name;
    EXPECT_TRUE(fs::exists(out / "figures" / (std::string(name) + ".svg"))) << name;
    ++pngs;
  }

  // Self-contained: every image is inline, nothing is fetched from elsewhere.
  const std::string html = read_text(out / "report.html");
  // (A plain scan: std::regex recurses per character and overflows on megabytes of base64.)
  int inline_images = 0;
  for (std::size_t at = html.find("<img"); at != std::string::npos; at = html.find("<img", at + 1)) {
    const std::size_t src = html.find("src='", at);
    ASSERT_NE(src, std::string::npos);
    EXPECT_EQ(html.compare(src + 5, 22, "data:image/png;base64,"), 0) << html.substr(src, 60);
    ++inline_images;
  }
  EXPECT_EQ(inline_images, pngs);

  const fs::path dom = dir / "dom.html";
  const std::string cmd = "timeout 120 chromium --headless --disable-gpu --no-sandbox "
                          "--user-data-dir='" + (dir / "profile").string() +
                          "' --virtual-time-budget=10000 --dump-dom 'file://" +
                          fs::absolute(out / "report.html").string() + "' >'" + dom.string() +
                          "' 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string rendered = read_text(dom);
  const std::string expected = "data-images=\"" + std::to_string(pngs) + "/" + std::to_string(pngs) + "\"";
  EXPECT_NE(rendered.find(expected), std::string::npos)
      << "figures that decoded: " << rendered.substr(rendered.find("<body"), 80);
  EXPECT_NE(rendered.find("data-images-ok=\"true\""), std::string::npos);
  EXPECT_NE(rendered.find("Predicted loss at"), std::string::npos);
  EXPECT_NE(rendered.find("chinchilla wins"), std::string::npos);
  fs::remove_all(dir);
}

// The hooks MPI ranks and --resume use: a bootstrap split into resample ranges, or stopped and
// continued from its completed rows, gives bit for bit the rows of one uninterrupted run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <stdexcept>

#include "analysis/bootstrap.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;
using shannonfit::synth::chinchilla_data;

namespace {

BootstrapOptions options(Scheme scheme) {
  BootstrapOptions o;
  o.resamples = 23;
  o.seed = 99;
  o.scheme = scheme;
  o.chunk = 4;
  o.fit.threads = 2;
  o.fit.full_starts = single_start(find_law("chinchilla").info);
  return o;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expect_same_rows(const std::vector<ResampleFit>& a, const std::vector<ResampleFit>& b,
                      const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t r = 0; r < a.size(); ++r) {
    for (int k = 0; k < kMaxParams; ++k)
      ASSERT_TRUE(same_bits(a[r].params[k], b[r].params[k])) << what << " row " << r;
    ASSERT_TRUE(same_bits(a[r].cost, b[r].cost)) << what << " row " << r;
    ASSERT_EQ(a[r].status, b[r].status) << what << " row " << r;
    ASSERT_EQ(a[r].best_start, b[r].best_start) << what << " row " << r;
  }
}

}  // namespace

TEST(BootstrapSplit, ContiguousRangesConcatenateToTheWholeRun) {
  const Dataset data = chinchilla_data(0.02, 3);
  const LawEntry& law = find_law("chinchilla");
  for (Scheme scheme : {Scheme::Case, Scheme::Cluster, Scheme::Residual}) {
    const BootstrapOptions whole = options(scheme);
    const BootstrapResult all = run_bootstrap(data, law, whole);
    std::vector<ResampleFit> joined;
    for (const auto& [first, end] : {std::pair<long, long>{0, 7}, {7, 7}, {7, 16}, {16, -1}}) {
      BootstrapOptions part = whole;
      part.first_resample = first;
      part.end_resample = end;
      part.jackknife = first == 0;  // the jackknife is independent of the range
      const BootstrapResult r = run_bootstrap(data, law, part);
      EXPECT_FALSE(r.interrupted);
      joined.insert(joined.end(), r.resamples.begin(), r.resamples.end());
    }
    expect_same_rows(all.resamples, joined, to_string(scheme));
  }
}

TEST(BootstrapSplit, ResumingFromCompletedRowsFinishesTheSameRun) {
  const Dataset data = chinchilla_data(0.02, 4);
  const LawEntry& law = find_law("chinchilla");
  const BootstrapOptions base = options(Scheme::Case);
  const BootstrapResult all = run_bootstrap(data, law, base);

  // Stop during the resample phase, keeping what the chunk callback saw, as a checkpoint does.
  std::atomic<bool> cancel{false};
  std::vector<ResampleFit> saved_jackknife, saved_resamples;
  long calls = 0, last_done = 0;
  BootstrapOptions first = base;
  first.on_chunk = [&](const char* phase, const std::vector<ResampleFit>& rows, long done) {
    ++calls;
    auto& saved = std::string(phase) == "jackknife" ? saved_jackknife : saved_resamples;
    saved.assign(rows.begin(), rows.begin() + done);
    if (std::string(phase) == "resamples") {
      EXPECT_GT(done, last_done);
      last_done = done;
      if (done >= 8) cancel = true;
    }
  };
  const BootstrapResult partial = run_bootstrap(data, law, first, {}, &cancel);
  ASSERT_TRUE(partial.interrupted);
  ASSERT_EQ(partial.resamples.size(), 8u);
  EXPECT_GT(calls, 2);
  expect_same_rows(partial.resamples, saved_resamples, "saved rows");

  BootstrapOptions second = base;
  second.done_jackknife = saved_jackknife;
  second.done_resamples = saved_resamples;
  long fitted_from = -1;
  second.on_chunk = [&](const char* phase, const std::vector<ResampleFit>&, long done) {
    if (std::string(phase) == "resamples" && fitted_from < 0) fitted_from = done;
  };
  const BootstrapResult resumed = run_bootstrap(data, law, second);
  EXPECT_FALSE(resumed.interrupted);
  EXPECT_EQ(fitted_from, 12);  // the first chunk after the 8 saved rows ends at row 12
  expect_same_rows(all.resamples, resumed.resamples, "resamples");
  expect_same_rows(all.jackknife, resumed.jackknife, "jackknife");
}

TEST(BootstrapSplit, RejectsRangesOutsideTheRun) {
  const Dataset data = chinchilla_data(0.02, 5);
  BootstrapOptions o = options(Scheme::Case);
  o.first_resample = 10;
  o.end_resample = 5;
  EXPECT_THROW(run_bootstrap(data, find_law("chinchilla"), o), std::invalid_argument);
  o.first_resample = 0;
  o.end_resample = 24;
  EXPECT_THROW(run_bootstrap(data, find_law("chinchilla"), o), std::invalid_argument);
}

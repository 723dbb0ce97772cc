// Backend selection and column quantiles on whatever machine runs the tests: with no CUDA
// device (or a build without CUDA) `cuda` must fail with a clear InputError and `auto` must fall
// back to the CPU; with a device, `auto` must pick CUDA.
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpu/column_quantiles.hpp"
#include "shannonfit/backend.hpp"
#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"

using namespace shannonfit;

TEST(BackendSelection, ParsesTheFourNamesAndRejectsOthers) {
  EXPECT_EQ(parse_backend("cpu"), BackendKind::Cpu);
  EXPECT_EQ(parse_backend("reference"), BackendKind::Reference);
  EXPECT_EQ(parse_backend("cuda"), BackendKind::Cuda);
  EXPECT_EQ(parse_backend("auto"), BackendKind::Auto);
  EXPECT_THROW(parse_backend("gpu"), InputError);
}

// Everything that names the backends is generated from backend_list.hpp: each listed name parses
// to its kind and back, "auto" last, and the help names each one.
TEST(BackendSelection, NamesComeFromTheOneList) {
  ASSERT_EQ(backend_names().size(), static_cast<std::size_t>(kBackendCount + 1));
  for (int k = 0; k < kBackendCount; ++k) {
    const BackendSpec& b = kBackends[k];
    EXPECT_EQ(static_cast<int>(b.kind), k) << b.name;
    EXPECT_EQ(parse_backend(b.name), b.kind);
    EXPECT_STREQ(to_string(b.kind), b.name);
    EXPECT_EQ(backend_names()[k], b.name);
    EXPECT_NE(backend_help().find(std::string(b.name) + " (" + b.description + ")"),
              std::string::npos) << b.name;
  }
  EXPECT_EQ(backend_names().back(), "auto");
  EXPECT_NE(backend_help().find("or auto"), std::string::npos);
  EXPECT_THROW(all_laws().front().batch(BackendKind::Auto), std::out_of_range);
}

// The backend as a value: its kind and name say which one runs (outputs report the name), and
// its entry is the law's batch function for that backend.
void expect_backend(const Backend& b, BackendKind kind, const char* name, BatchFn entry,
                    const std::string& law) {
  EXPECT_EQ(b.kind, kind) << law;
  EXPECT_STREQ(b.name, name) << law;
  EXPECT_EQ(b.entry, entry) << law;
}

TEST(BackendSelection, CudaWithoutDeviceIsAnInputErrorAndAutoFallsBack) {
  for (const LawEntry& law : all_laws()) {
    const std::string& name = law.info.name;
    expect_backend(select_backend(law, BackendKind::Cpu), BackendKind::Cpu, "cpu", law.batch(BackendKind::Cpu), name);
    expect_backend(select_backend(law, BackendKind::Reference), BackendKind::Reference,
                   "reference", law.batch(BackendKind::Reference), name);
    EXPECT_EQ(resolve_backend(law, BackendKind::Cpu), law.batch(BackendKind::Cpu)) << name;
    if (cuda_available()) {
      ASSERT_NE(law.batch(BackendKind::Cuda), nullptr) << name << ": a device but no kernel";
      expect_backend(select_backend(law, BackendKind::Auto), BackendKind::Cuda, "cuda", law.batch(BackendKind::Cuda),
                     name);
      expect_backend(select_backend(law, BackendKind::Cuda), BackendKind::Cuda, "cuda", law.batch(BackendKind::Cuda),
                     name);
      EXPECT_GT(select_backend(law, BackendKind::Cuda).preferred_fits_per_call,
                select_backend(law, BackendKind::Cpu).preferred_fits_per_call)
          << name << ": a GPU wants more fits per call than CPU threads";
      continue;
    }
    expect_backend(select_backend(law, BackendKind::Auto), BackendKind::Cpu, "cpu", law.batch(BackendKind::Cpu), name);
    try {
      select_backend(law, BackendKind::Cuda);
      ADD_FAILURE() << name << ": --backend cuda accepted without a device";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("--backend cuda"), std::string::npos) << e.what();
    }
  }
}

TEST(BackendSelection, EveryLawHasAKernelInACudaBuild) {
#if SHANNONFIT_HAVE_CUDA
  for (const LawEntry& law : all_laws()) EXPECT_NE(law.batch(BackendKind::Cuda), nullptr) << law.info.name;
#else
  for (const LawEntry& law : all_laws()) EXPECT_EQ(law.batch(BackendKind::Cuda), nullptr) << law.info.name;
#endif
}

TEST(ColumnQuantiles, LinearInterpolationBetweenOrderStatistics) {
  // Two columns, rows given out of order; numpy.quantile(..., method="linear") agrees:
  // column 0 = {1, 2, 3, 4, 10}, column 1 = {-5, 0, 5, 10, 15}.
  const std::vector<double> table = {4, 15, 1, -5, 10, 5, 3, 0, 2, 10};
  const std::vector<double> probs = {0.0, 0.1, 0.5, 0.975, 1.0};
  const auto q = column_quantiles(table.data(), 5, 2, probs, BackendKind::Cpu);
  ASSERT_EQ(q.size(), 10u);
  const std::vector<double> expect = {1, 1.4, 3, 9.4, 10, -5, -3, 5, 14.5, 15};
  for (std::size_t i = 0; i < expect.size(); ++i) EXPECT_DOUBLE_EQ(q[i], expect[i]) << i;
}

TEST(ColumnQuantiles, RejectsNonFiniteValuesAndBadProbabilities) {
  const std::vector<double> table = {1, 2, std::numeric_limits<double>::quiet_NaN(), 4};
  EXPECT_THROW(column_quantiles(table.data(), 2, 2, {0.5}), std::invalid_argument);
  const std::vector<double> ok = {1, 2, 3, 4};
  EXPECT_THROW(column_quantiles(ok.data(), 2, 2, {1.5}), std::invalid_argument);
  EXPECT_THROW(column_quantiles(ok.data(), 0, 2, {0.5}), std::invalid_argument);
}

TEST(ColumnQuantiles, CudaWithoutDeviceIsAnInputErrorAndAutoFallsBack) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present; gpu_cuda_backend covers it";
  const std::vector<double> table = {1, 2, 3, 4};
  EXPECT_THROW(column_quantiles(table.data(), 2, 2, {0.5}, BackendKind::Cuda), InputError);
  const auto q = column_quantiles(table.data(), 2, 2, {0.5}, BackendKind::Auto);
  EXPECT_EQ(q, (std::vector<double>{2, 3}));
}

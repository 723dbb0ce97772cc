// Formula laws on the CUDA backend: the law's kernel compiled by NVRTC, loaded through the driver
// API and run by the built-in driver, against the same formula law on the CPU backend, on the
// same request (the Epoch Chinchilla points, bootstrap weightings, the built-in law's start
// grid thinned). Compared as tests/gpu_cuda_backend.cpp compares built-in laws, for the reasons
// its header gives (FMA contraction and CUDA's exp/log: the same optimum, not the same bits);
// within the CUDA backend, chunking changes no bit. Every test skips where no device is visible,
// the build has no CUDA backend or NVRTC is absent.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "laws/formula_entry.hpp"
#include "shannonfit/backend.hpp"
#include "shannonfit/formula/formula.hpp"
#include "shannonfit/formula/nvrtc.hpp"
#include "support/epoch_data.hpp"
#include "support/fit_agreement.hpp"
#include "support/formula_like.hpp"
#include "support/law_testing.hpp"
#if SHANNONFIT_HAVE_CUDA
#include "shannonfit/cuda_cubin_kernel.hpp"
#endif

using namespace shannonfit;

namespace {

// gpu_cuda_backend.cpp's tolerances for one fit on two backends.
constexpr lawtest::AgreementTolerances kSameFit{1e-9, 1e-5, 1e-4, 1e-4, 1e-6};

#define SF_REQUIRE_DEVICE_AND_NVRTC()                                                         \
  do {                                                                                        \
    if (!cuda_available())                                                                    \
      GTEST_SKIP() << "no CUDA device visible (or built without CUDA): not checked here";     \
    std::string why;                                                                          \
    if (!formula::nvrtc_available(&why)) GTEST_SKIP() << why;                                 \
  } while (0)

struct Case {
  const char* builtin;
  const char* formula;
};
const Case kCases[] = {
    {"chinchilla", "E + A/N^alpha + B/D^beta"},
    {"kaplan", "((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D"},
    {"shannon", "1/(a*N^alpha*log2(1 + D^beta/(c*(D*N)^gamma + d*D^delta + e)))"},
};

// The built-in law's box and start grid.
LawEntry formula_like(const std::string& builtin_name, const std::string& text) {
  const LawInfo& info = find_law(builtin_name).info;
  return make_formula_entry(formula::compile(shannonfit::testing::spec_like(info, text)));
}

struct Problem {
  Dataset data;
  std::vector<double> weights;  // row 0 all ones, the others bootstrap counts
  int n_weightings = 0;
};

Problem epoch_problem(int n_weightings, unsigned seed) {
  Problem p;
  p.data = shannonfit::testing::load_epoch_chinchilla(std::string(SHANNONFIT_DATA_DIR) +
                                                      "/chinchilla_svg_extracted.csv");
  const std::size_t n = p.data.size();
  p.n_weightings = n_weightings;
  p.weights.assign(n * n_weightings, 0.0);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  for (std::size_t i = 0; i < n; ++i) p.weights[i] = 1.0;
  for (int w = 1; w < n_weightings; ++w)
    for (std::size_t j = 0; j < n; ++j) p.weights[w * n + pick(rng)] += 1.0;
  return p;
}

BatchRequest request(const Problem& p, const std::vector<double>& starts) {
  BatchRequest req;
  req.data = &p.data;
  req.starts = starts;
  req.weights = p.weights.data();
  req.n_weightings = p.n_weightings;
  return req;
}

TEST(FormulaCuda, AutoAndCudaRunAFormulaLawOnTheDevice) {
  SF_REQUIRE_DEVICE_AND_NVRTC();
  const LawEntry law = formula_like(kCases[0].builtin, kCases[0].formula);
  ASSERT_NE(law.batch(BackendKind::Cuda), nullptr);
  EXPECT_EQ(select_backend(law, BackendKind::Auto).kind, BackendKind::Cuda);
  EXPECT_EQ(select_backend(law, BackendKind::Cuda).entry, law.batch(BackendKind::Cuda));
}

TEST(FormulaCuda, SameFitsAsTheCpuBackend) {
  SF_REQUIRE_DEVICE_AND_NVRTC();
  const Problem p = epoch_problem(6, 21);
  for (const Case& c : kCases) {
    const LawEntry law = formula_like(c.builtin, c.formula);
    const std::vector<double> starts = lawtest::reduced_grid(law.info, 3);
    const auto cpu = law.batch(BackendKind::Cpu)(law, request(p, starts));
    const auto gpu = law.batch(BackendKind::Cuda)(law, request(p, starts));
    ASSERT_EQ(gpu.size(), cpu.size()) << c.builtin;
    for (int w = 0; w < p.n_weightings; ++w) {
      const std::string what = law.info.name + " weighting " + std::to_string(w);
      EXPECT_EQ(converged(gpu[w].status), converged(cpu[w].status))
          << what << ": " << to_string(gpu[w].status) << " vs " << to_string(cpu[w].status);
      EXPECT_TRUE(lawtest::fits_agree(law, p.data, Space::Log,
                                      p.weights.data() + w * p.data.size(), gpu[w], cpu[w],
                                      kSameFit))
          << what;
    }
  }
}

#if SHANNONFIT_HAVE_CUDA
// The driver's plan changes nothing: one weighting per chunk on three streams gives the bits of
// the default plan, and the kernel it ran is the one NVRTC reported.
TEST(FormulaCuda, ChunkingChangesNoBitAndTheKernelIsNvrtcs) {
  SF_REQUIRE_DEVICE_AND_NVRTC();
  const Problem p = epoch_problem(5, 22);
  const LawEntry law = formula_like(kCases[0].builtin, kCases[0].formula);
  const formula::CompiledKernel& compiled =
      formula::cached_kernel(*law.formula, cuda::device_architecture());
  const cuda::CubinKernel kernel{&compiled.cubin, compiled.key, formula::kFormulaKernelName};
  const std::vector<double> starts = lawtest::reduced_grid(law.info, 3);
  cuda::RunStats stats;
  const auto whole = cuda::fit_batch_cubin(law, request(p, starts), kernel, {}, &stats);
  EXPECT_EQ(stats.registers_per_thread, compiled.resources.registers);
  cuda::LaunchConfig narrow;
  narrow.streams = 3;
  narrow.max_weightings_per_chunk = 1;
  cuda::RunStats narrow_stats;
  const auto chunked = cuda::fit_batch_cubin(law, request(p, starts), kernel, narrow, &narrow_stats);
  EXPECT_EQ(narrow_stats.chunks, p.n_weightings);
  ASSERT_EQ(whole.size(), chunked.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(whole[i].best_start, chunked[i].best_start) << i;
    EXPECT_EQ(whole[i].iterations, chunked[i].iterations) << i;
    EXPECT_EQ(whole[i].cost, chunked[i].cost) << i;
    EXPECT_EQ(whole[i].params, chunked[i].params) << i;
  }
}
#endif

}  // namespace

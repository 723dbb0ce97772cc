// The law registry: every law in SF_FOR_EACH_LAW, with its CPU, reference and (when built)
// CUDA batch functions.
#include <stdexcept>

#include "cpu/batch_cpu.hpp"
#include "reference/reference_lm.hpp"
#include "shannonfit/batch.hpp"
#include "shannonfit/laws/all.hpp"

#if SHANNONFIT_HAVE_CUDA
#include "shannonfit/cuda_backend.hpp"
#define SF_CUDA_FN(Law) &shannonfit::cuda::fit_batch<Law>
#else
#define SF_CUDA_FN(Law) nullptr
#endif

namespace shannonfit {
namespace {

template <class Law>
LawEntry make_entry(BatchFn cuda) {
  LawEntry e{Law::info(), Law::kParams, &cpu::fit_batch<Law>, &reference::fit_batch<Law>, cuda,
             &law_log_loss<Law>};
  e.info.min_distinct = Law::kMinDistinct;
  if (static_cast<int>(e.info.params.size()) != Law::kParams)
    throw std::logic_error("law " + e.info.name + " lists a wrong number of parameters");
  return e;
}

std::vector<LawEntry> build_registry() {
  std::vector<LawEntry> laws;
#define SF_REGISTER(Law) laws.push_back(make_entry<Law>(SF_CUDA_FN(Law)));
  SF_FOR_EACH_LAW(SF_REGISTER)
#undef SF_REGISTER
  return laws;
}

}  // namespace

const std::vector<LawEntry>& all_laws() {
  static const std::vector<LawEntry> laws = build_registry();
  return laws;
}

const LawEntry& find_law(const std::string& name) {
  std::string known;
  for (const auto& law : all_laws()) {
    if (law.info.name == name) return law;
    known += (known.empty() ? "" : ", ") + law.info.name;
  }
  throw std::invalid_argument("unknown law '" + name + "' (known: " + known + ")");
}

}  // namespace shannonfit

#pragma once
// The definition of law_entry<Law> (law_entry.hpp): the law's batch functions on each backend
// and its host-side evaluations. Included only by the generated per-law units.
#include <stdexcept>
#include <type_traits>

#include "cpu/batch_cpu.hpp"
#include "laws/law_entry.hpp"
#include "reference/reference_lm.hpp"
#include "shannonfit/laws/all.hpp"

#if SHANNONFIT_HAVE_CUDA
#include "shannonfit/cuda_backend.hpp"
#endif

namespace shannonfit {

template <class Law, class = void>
struct DeclaresSeparable : std::false_type {};
template <class Law>
struct DeclaresSeparable<Law, std::void_t<decltype(Law::separable())>> : std::true_type {};

template <class Law>
LawEntry law_entry() {
#if SHANNONFIT_HAVE_CUDA
  const BatchFn cuda = &cuda::fit_batch<Law>;
#else
  const BatchFn cuda = nullptr;
#endif
  LawEntry e{Law::info(), Law::kParams, &cpu::fit_batch<Law>, &reference::fit_batch<Law>, cuda,
             &law_log_loss<Law>, &law_log_loss_gradient<Law>, std::nullopt, nullptr};
  e.info.min_distinct = Law::kMinDistinct;
  if (static_cast<int>(e.info.params.size()) != Law::kParams)
    throw std::logic_error("law " + e.info.name + " lists a wrong number of parameters");
  if constexpr (DeclaresSeparable<Law>::value) {
    e.separable = Law::separable();
    check_separable(e.info, *e.separable);
  }
  return e;
}

}  // namespace shannonfit

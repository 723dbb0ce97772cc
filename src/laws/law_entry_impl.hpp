#pragma once
// The definition of law_entry<Law> (law_entry.hpp): the law's batch functions on each backend
// of backend_list.hpp and its host-side evaluations. Included only by the generated per-law
// units, which so instantiate every backend's driver for their law; each backend's driver
// header is included here.
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

// Every backend's driver, declared from the list; defined by the headers above for the backends
// this build has.
#define SF_BACKEND_DRIVER(Kind, driver, ...)                                      \
  namespace driver {                                                               \
  template <class Law>                                                             \
  std::vector<FitResult> fit_batch(const LawEntry& law, const BatchRequest& req); \
  }
SF_FOR_EACH_BACKEND(SF_BACKEND_DRIVER)
#undef SF_BACKEND_DRIVER

template <class Law>
LawEntry law_entry() {
  LawEntry e{Law::info(), Law::kParams, {}, &law_log_loss<Law>, &law_log_loss_gradient<Law>,
             std::nullopt, nullptr, {}};
  // A backend this build lacks has its driver declared only, and the discarded branch never
  // instantiates it.
#define SF_BACKEND_BATCH(Kind, driver, name, description, fits, built, ...) \
  if constexpr (built) e.set_batch(BackendKind::Kind, &driver::fit_batch<Law>);
  SF_FOR_EACH_BACKEND(SF_BACKEND_BATCH)
#undef SF_BACKEND_BATCH
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

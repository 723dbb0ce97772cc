// Formula laws as registry entries: the entry itself and the reference backend's batch, which
// sizes its derivatives at run time and so serves every parameter count from one instantiation.
#include "laws/formula_entry.hpp"

#include <cmath>
#include <utility>

#include "reference/reference_lm.hpp"
#include "shannonfit/formula/evaluate.hpp"
#include "shannonfit/formula/formula.hpp"

#if SHANNONFIT_HAVE_CUDA
#include "shannonfit/cuda_cubin_kernel.hpp"
#include "shannonfit/formula/nvrtc.hpp"
#endif

namespace Eigen {

// log1p, which Eigen's AutoDiffScalar lacks, as jet.hpp's: log1p of the value, 1 / (1 + u) the
// derivative, so the reference path evaluates a tape's Log1p as the batch solver does.
template <class DerType>
AutoDiffScalar<typename internal::remove_all<DerType>::type::PlainObject> log1p(
    const AutoDiffScalar<DerType>& u) {
  using Plain = typename internal::remove_all<DerType>::type::PlainObject;
  return AutoDiffScalar<Plain>(std::log1p(u.value()), u.derivatives() / (1 + u.value()));
}

// atan, which AutoDiffScalar lacks too (it has cos and sin): 1 / (1 + u^2) the derivative.
template <class DerType>
AutoDiffScalar<typename internal::remove_all<DerType>::type::PlainObject> atan(
    const AutoDiffScalar<DerType>& u) {
  using Plain = typename internal::remove_all<DerType>::type::PlainObject;
  return AutoDiffScalar<Plain>(std::atan(u.value()),
                               u.derivatives() / (1 + u.value() * u.value()));
}

}  // namespace Eigen

namespace shannonfit {
namespace {

// Derivatives held inline, at most kMaxParams of them: the tape's slots are raw storage that is
// never destroyed (reference_lm.hpp's Fitter).
using ReferenceDerivatives = Eigen::Matrix<double, Eigen::Dynamic, 1, 0, kMaxParams, 1>;
using ReferenceScalar = Eigen::AutoDiffScalar<ReferenceDerivatives>;

// The tape in the shape reference::Fitter calls.
struct ReferenceFormulaLaw {
  const formula::Tape* tape;
  int n_params;

  template <class T, class S>
  T log_loss(const T* p, S ln_n, S ln_d, S x) const {
    T f = formula::evaluate<T, S>(*tape, p, ln_n, ln_d, x);
    // A result that no parameter reached carries no derivatives at all.
    if (f.derivatives().size() == 0) f.derivatives().setZero(n_params);
    return f;
  }
};

std::vector<FitResult> formula_fit_batch_reference(const LawEntry& law, const BatchRequest& req) {
  if (req.options.space == Space::Log) {
    const ReferenceFormulaLaw fit_law{&law.formula->tape, law.n_params};
    return reference::fit_batch_with<ReferenceFormulaLaw, ReferenceScalar>(fit_law, law, req);
  }
  std::vector<double> targets;
  const ReferenceFormulaLaw fit_law{&law.formula->value, law.n_params};
  return reference::fit_batch_with<ReferenceFormulaLaw, ReferenceScalar>(
      fit_law, law, value_space_request(req, targets));
}

#if SHANNONFIT_HAVE_CUDA
// The CUDA batch: the law's kernel, compiled by NVRTC for the device's architecture (once per
// process, and cached on disk across processes), run by the built-in laws' driver. The kernel is
// generated from the law's ln L tape; a linear-space fit runs the value tape (a law may cross
// zero), which has no kernel, so it runs on the CPU batch, whose results are the same.
std::vector<FitResult> formula_fit_batch_cuda(const LawEntry& law, const BatchRequest& req) {
  if (req.options.space != Space::Log) return law.batch(BackendKind::Cpu)(law, req);
  const formula::CompiledKernel& kernel =
      formula::cached_kernel(*law.formula, cuda::device_architecture());
  return cuda::fit_batch_cubin(law, req, {&kernel.cubin, kernel.key, formula::kFormulaKernelName});
}
#endif

}  // namespace

BatchRequest value_space_request(const BatchRequest& req, std::vector<double>& targets) {
  BatchRequest out = req;
  out.options.space = Space::Log;
  if (!req.targets) {
    const std::vector<double>& loss = req.data->loss;
    targets.clear();
    for (int w = 0; w < req.n_weightings; ++w) targets.insert(targets.end(), loss.begin(), loss.end());
    out.targets = targets.data();
  }
  return out;
}

LawEntry make_formula_entry(std::shared_ptr<const formula::CompiledLaw> law) {
  LawEntry e;
  e.info = law->info;
  e.n_params = law->n_params();
  e.set_batch(BackendKind::Cpu, formula::with_param_count(e.n_params, [](auto count) -> BatchFn {
    return &formula_fit_batch_cpu<decltype(count)::value>;
  }));
  e.set_batch(BackendKind::Reference, &formula_fit_batch_reference);
#if SHANNONFIT_HAVE_CUDA
  // Without NVRTC the law has no CUDA batch, so --backend auto runs it on the CPU and
  // --backend cuda says why.
  std::string why;
  if (formula::nvrtc_available(&why))
    e.set_batch(BackendKind::Cuda, &formula_fit_batch_cuda);
  else
    e.unavailable[static_cast<int>(BackendKind::Cuda)] =
        "a formula law's CUDA kernel is compiled at run time, and " + why + "; or use --backend cpu";
#endif
  const formula::Tape* tape = &law->tape;
  e.log_loss = [law, tape](const double* params, double ln_n, double ln_d, double x) {
    return formula::evaluate<double, double>(*tape, params, ln_n, ln_d, x);
  };
  e.log_loss_gradient = [law, tape](const double* params, double ln_n, double ln_d, double x,
                                    double* grad) {
    return formula::log_loss_gradient(*tape, params, ln_n, ln_d, x, grad);
  };
  if (law->separable) {
    SeparableForm form;
    form.theta = law->separable->theta;
    form.coef_params = law->separable->coef_params;
    form.basis = [law](const double* theta, double ln_n, double ln_d, double x, double* phi) {
      formula::separable_basis(*law, theta, ln_n, ln_d, x, phi);
    };
    e.separable = std::move(form);
  }
  e.formula = std::move(law);
  return e;
}

}  // namespace shannonfit

// Hostile data and starts for the per-fit solver, through every law's CPU batch path.
// The loader guarantees positive finite N, D and loss, so the fuzzer draws only those, but of any
// magnitude a double allows; starts are anywhere inside the law's box. Whatever it draws, the
// solver must not crash or hit UB, and a fit it calls converged must be finite and in bounds.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "shannonfit/batch.hpp"

using namespace shannonfit;

namespace {
double positive(FuzzedDataProvider& in) {
  // ln of the value spans the whole positive normal range of a double.
  return std::exp(in.ConsumeFloatingPointInRange<double>(-700.0, 700.0));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  FuzzedDataProvider in(bytes, size);
  const auto& laws = all_laws();
  const LawEntry& law = laws[in.ConsumeIntegralInRange<std::size_t>(0, laws.size() - 1)];
  Dataset data;
  const int rows = in.ConsumeIntegralInRange<int>(1, 12);
  const bool with_x = law.info.needs == Needs::Perturbation || in.ConsumeBool();
  for (int i = 0; i < rows; ++i) {
    data.n.push_back(positive(in));
    data.d.push_back(positive(in));
    data.loss.push_back(positive(in));
    if (with_x) data.x.push_back(in.ConsumeFloatingPointInRange<double>(-1e6, 1e6));
    data.line.push_back(i + 2);
  }
  BatchRequest req;
  req.data = &data;
  for (const auto& spec : law.info.params)
    req.starts.push_back(in.ConsumeFloatingPointInRange<double>(spec.lo, spec.hi));
  req.options.space = in.ConsumeBool() ? Space::Log : Space::Linear;
  req.options.loss = in.ConsumeBool() ? LossKind::L2 : LossKind::Huber;
  req.options.max_iterations = 40;
  req.threads = 1;
  const std::vector<FitResult> out = law.batch(BackendKind::Cpu)(law, req);
  if (out.size() != 1) std::abort();
  const FitResult& r = out[0];
  if (!converged(r.status)) return 0;
  bool ok = std::isfinite(r.cost) && std::isfinite(r.rss);
  for (int k = 0; k < law.n_params; ++k) {
    const auto& spec = law.info.params[k];
    ok = ok && r.params[k] >= spec.lo && r.params[k] <= spec.hi;
  }
  if (!ok) {
    std::fprintf(stderr, "law %s: status %s with cost %g, rss %g, params", law.info.name.c_str(),
                 to_string(r.status), r.cost, r.rss);
    for (int k = 0; k < law.n_params; ++k) std::fprintf(stderr, " %g", r.params[k]);
    std::fprintf(stderr, "\n");
    std::abort();
  }
  return 0;
}

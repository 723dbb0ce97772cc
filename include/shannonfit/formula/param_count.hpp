#pragma once
// A formula's parameter count is known at run time; the solver's is a template argument. Host
// only, with no other dependency, so that the CPU entry (src/laws/formula_entry.cpp) and the CUDA
// cubin driver (kernels/cubin_kernel.cu) share it.
#include <type_traits>

#include "shannonfit/config.hpp"

namespace shannonfit::formula {

// Calls f(std::integral_constant<int, P>{}) for P = n, 1 <= n <= kMaxParams: the one switch
// from a run-time parameter count to the solver's compile-time one.
template <class F>
decltype(auto) with_param_count(int n, F&& f) {
  static_assert(kMaxParams == 10, "list every parameter count below");
  switch (n) {
    case 1: return f(std::integral_constant<int, 1>{});
    case 2: return f(std::integral_constant<int, 2>{});
    case 3: return f(std::integral_constant<int, 3>{});
    case 4: return f(std::integral_constant<int, 4>{});
    case 5: return f(std::integral_constant<int, 5>{});
    case 6: return f(std::integral_constant<int, 6>{});
    case 7: return f(std::integral_constant<int, 7>{});
    case 8: return f(std::integral_constant<int, 8>{});
    case 9: return f(std::integral_constant<int, 9>{});
    default: return f(std::integral_constant<int, 10>{});
  }
}

}  // namespace shannonfit::formula

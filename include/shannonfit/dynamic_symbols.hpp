#pragma once
// The functions of a library loaded at run time with dlopen: the CUDA driver
// (kernels/cubin_kernel.cu) and NVRTC (src/formula/nvrtc.cpp), so that the binary runs where
// neither is installed. Host code only.
#include <dlfcn.h>

#include <string>

namespace shannonfit {

// Points fn at `symbol` in `handle`. When the library lacks it and nothing is recorded yet,
// `missing` becomes "<library> lacks <symbol>": the first missing function is the one reported.
template <class Fn>
void bind_symbol(void* handle, Fn& fn, const char* symbol, const std::string& library,
                 std::string& missing) {
  fn = reinterpret_cast<Fn>(dlsym(handle, symbol));
  if (!fn && missing.empty()) missing = library + " lacks " + symbol;
}

}  // namespace shannonfit

#pragma once
// The one list of backends. BackendKind, parse_backend and to_string (batch.hpp), each law's
// batch functions (LawEntry::batch, filled by src/laws/law_entry_impl.hpp), select_backend's
// candidates (backend.hpp), the CLI's --backend and Python's backends() are all generated from
// it. Adding a backend: its own folder with its driver, and one line here.
//
// SF_BACKEND(Kind, driver, name, description, preferred_fits_per_call, built, auto_rank,
//            device_present, unbuilt_hint)
//   Kind         its BackendKind enumerator; the list's order is the enum's and the help's.
//   driver       the namespace of its batch driver,
//                  template <class Law> std::vector<FitResult> driver::fit_batch(
//                      const LawEntry&, const BatchRequest&);
//                declared or defined in a header that src/laws/law_entry_impl.hpp includes.
//   preferred_fits_per_call  fits (weightings × starts) per batch call it runs well at: a GPU
//                starves on fewer, while CPU threads report progress and notice Ctrl-C only
//                between calls.
//   built        whether this build compiles the driver (a build macro, 0 or 1); an unbuilt
//                backend keeps its name, so asking for it says how to build it (unbuilt_hint).
//   auto_rank    --backend auto runs the law on the highest-ranked backend that has its batch
//                function and whose device is present; 0: auto never picks it.
//   device_present  a bool() that says whether its device is there, or nullptr for the host.
#define SF_FOR_EACH_BACKEND(SF_BACKEND)                                                     \
  SF_BACKEND(Cpu, cpu, "cpu", "OpenMP threads", 1024, 1, 1, nullptr, "")                    \
  SF_BACKEND(Reference, reference, "reference", "plain Eigen LM", 1024, 1, 0, nullptr, "")  \
  SF_BACKEND(Cuda, cuda, "cuda", "one GPU thread per fit", 1L << 18, SHANNONFIT_HAVE_CUDA,  \
             2, &cuda_available, "configure with SHANNONFIT_CUDA=ON where nvcc exists")

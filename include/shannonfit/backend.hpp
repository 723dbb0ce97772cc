#pragma once
// A backend as a value: which kind it is, the name outputs report, the batch function that runs
// it and how many fits it wants per call. Everything that asks "which backend is this?" reads
// these fields; nothing compares batch function pointers.
#include <string>
#include <vector>

#include "shannonfit/backend_list.hpp"
#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

// What backend_list.hpp says about one backend.
struct BackendSpec {
  BackendKind kind;
  const char* name;
  const char* description;
  long preferred_fits_per_call;
  bool built;
  int auto_rank;
  bool (*device_present)();  // null: the host, always there
  const char* unbuilt_hint;

  bool present() const { return built && (!device_present || device_present()); }
};

#define SF_BACKEND_SPEC(Kind, driver, name, description, fits, built, auto_rank, device, hint) \
  BackendSpec{BackendKind::Kind, name, description, fits, built, auto_rank, device, hint},
inline const BackendSpec kBackends[kBackendCount] = {SF_FOR_EACH_BACKEND(SF_BACKEND_SPEC)};
#undef SF_BACKEND_SPEC

inline const BackendSpec& backend_spec(BackendKind kind) {
  return kBackends[static_cast<int>(kind)];
}

// The backends and what each is, for a --backend help or a docstring: "cpu (OpenMP threads),
// ..., or auto (...)".
inline std::string backend_help() {
  std::string help;
  for (const BackendSpec& b : kBackends)
    help += std::string(b.name) + " (" + b.description + "), ";
  return help + "or auto (the fastest backend here that can run the law)";
}

struct Backend {
  BackendKind kind = BackendKind::Cpu;  // never Auto: select_backend has resolved it
  const char* name = "cpu";             // a name of backend_list.hpp
  BatchFn entry = nullptr;
  long preferred_fits_per_call = 1024;

  std::vector<FitResult> run(const LawEntry& law, const BatchRequest& request) const {
    return entry(law, request);
  }
};

// The backend `kind` asks for, for `law`. Auto is the highest auto_rank among the backends that
// have the law's batch function and their device. Throws InputError when the backend asked for
// is not built, cannot run the law or has no device here.
inline Backend select_backend(const LawEntry& law, BackendKind kind) {
  if (kind == BackendKind::Auto) {
    const BackendSpec* best = nullptr;
    for (const BackendSpec& b : kBackends)
      if (b.auto_rank > 0 && law.batch(b.kind) && (!best || b.auto_rank > best->auto_rank) &&
          b.present())
        best = &b;
    if (!best) throw InputError("--backend auto: no backend here can run law '" + law.info.name + "'");
    kind = best->kind;
  }
  const BackendSpec& b = backend_spec(kind);
  const std::string option = std::string("--backend ") + b.name;
  if (!b.built)
    throw InputError(option + ": this build has no " + b.name + " backend (" + b.unbuilt_hint +
                     ")");
  if (!law.batch(kind))
    throw InputError(option + ": law '" + law.info.name + "' cannot run on this backend" +
                     (law.unavailable[static_cast<int>(kind)].empty()
                          ? std::string()
                          : ": " + law.unavailable[static_cast<int>(kind)]));
  if (!b.present()) throw InputError(option + ": no device for it is visible on this machine");
  return {kind, b.name, law.batch(kind), b.preferred_fits_per_call};
}

}  // namespace shannonfit

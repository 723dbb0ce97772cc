#pragma once
// The one list of shipped laws. Each entry expands SF_LAW(Type) wherever every law must be
// instantiated: the registry (src/laws/registry.cpp) and the CUDA kernels (kernels/).
// Adding a law: one header in laws/, one line here, one test file.
#include "shannonfit/laws/chinchilla.hpp"
#include "shannonfit/laws/kaplan.hpp"

#define SF_FOR_EACH_LAW(SF_LAW)            \
  SF_LAW(shannonfit::laws::Chinchilla)      \
  SF_LAW(shannonfit::laws::ChinchillaPlain) \
  SF_LAW(shannonfit::laws::Kaplan)          \
  SF_LAW(shannonfit::laws::KaplanE)

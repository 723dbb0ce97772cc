#pragma once
// The one list of shipped laws. Each entry expands SF_LAW(Type) wherever every law must be
// instantiated: the registry (src/laws/registry.cpp, with one generated unit per law:
// cmake/law_shards.cmake) and the CUDA kernels (kernels/).
// Adding a law: one header in laws/, one line here, one test file.
#include "shannonfit/laws/chinchilla.hpp"
#include "shannonfit/laws/kaplan.hpp"
#include "shannonfit/laws/chinchilla_noise.hpp"
#include "shannonfit/laws/precision.hpp"
#include "shannonfit/laws/quant_degradation.hpp"
#include "shannonfit/laws/shannon.hpp"
#include "shannonfit/laws/shannon_x.hpp"

#define SF_FOR_EACH_LAW(SF_LAW)            \
  SF_LAW(shannonfit::laws::Chinchilla)      \
  SF_LAW(shannonfit::laws::ChinchillaPlain) \
  SF_LAW(shannonfit::laws::Kaplan)          \
  SF_LAW(shannonfit::laws::KaplanE)          \
  SF_LAW(shannonfit::laws::Shannon)          \
  SF_LAW(shannonfit::laws::ShannonSimple)    \
  SF_LAW(shannonfit::laws::ShannonX)         \
  SF_LAW(shannonfit::laws::Precision)        \
  SF_LAW(shannonfit::laws::QuantDegradation) \
  SF_LAW(shannonfit::laws::ChinchillaNoise)

// Hostile CSV files through the reader and the loader. The input is the file's text; which
// optional mappings are used follows from the header it happens to have (a column "C" is read as
// compute, "w" as weights, "g" as groups, "by" splits, "snr" is a noise SNR in dB, "bits" a
// quantisation width). Any outcome but a Dataset whose every number the solver can take, or an
// InputError, is a finding.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "io/csv.hpp"
#include "shannonfit/errors.hpp"

using namespace shannonfit;

namespace {
bool has(const io::Table& t, const std::string& name) {
  int count = 0;
  for (const auto& h : t.header) count += h == name;
  return count == 1;
}

void fail(const char* what, std::size_t row) {
  std::fprintf(stderr, "loaded data breaks its contract: %s at row %zu\n", what, row);
  std::abort();
}

void check(const Dataset& d) {
  const std::size_t n = d.size();
  if (d.d.size() != n || d.loss.size() != n || d.line.size() != n) fail("column lengths", 0);
  if ((!d.x.empty() && d.x.size() != n) || (!d.weight.empty() && d.weight.size() != n) ||
      (!d.group.empty() && d.group.size() != n))
    fail("optional column lengths", 0);
  const auto usable = [](double v) { return std::isfinite(v) && v > 0; };
  for (std::size_t i = 0; i < n; ++i) {
    if (!usable(d.n[i])) fail("N not finite and positive", i);
    if (!usable(d.d[i])) fail("D not finite and positive", i);
    if (!usable(d.loss[i])) fail("loss not finite and positive", i);
    if (!d.weight.empty() && !usable(d.weight[i])) fail("weight not finite and positive", i);
    if (!d.x.empty() && !std::isfinite(d.x[i])) fail("perturbation not finite", i);
    if (!d.group.empty() &&
        (d.group[i] < 0 || d.group[i] >= static_cast<int>(d.group_names.size())))
      fail("group index out of range", i);
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string text(reinterpret_cast<const char*>(bytes), size);
  try {
    const io::Table table = io::parse_csv(text, "fuzz.csv");
    for (const auto& row : table.rows)
      if (row.size() != table.header.size()) fail("ragged row", 0);
    io::ColumnMap map;
    if (has(table, "C")) map.flops = "C";
    if (has(table, "w")) map.weight = "w";
    if (has(table, "g")) map.group = "g";
    if (has(table, "by")) map.by = "by";
    if (has(table, "snr")) map.perturbation = io::Perturbation{io::PerturbationKind::NoiseSnrDb, "snr"};
    if (has(table, "bits")) map.perturbation = io::Perturbation{io::PerturbationKind::QuantBits, "bits"};
    const io::LoadedData loaded = io::load_data(table, map);
    for (const auto& slice : loaded.slices) check(slice.data);
  } catch (const InputError&) {
  }
  return 0;
}

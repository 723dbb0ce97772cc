// Hostile formulas: the first line is a formula ("name: formula" or a bare formula), a JSON law
// file when it starts with '{'. Compiling may only succeed or throw InputError; a compiled law is
// evaluated at a few points on doubles and Jets, where any value, finite or not, is fine.
#include <cstdint>
#include <string>

#include "shannonfit/errors.hpp"
#include "shannonfit/formula/evaluate.hpp"
#include "shannonfit/formula/formula.hpp"

using namespace shannonfit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string input(reinterpret_cast<const char*>(bytes), size);
  try {
    formula::LawSpec spec;
    if (!input.empty() && input[0] == '{') {
      spec = formula::parse_law_json(input, "fuzz.json");
    } else {
      spec.name = "fuzz";
      spec.formula = input;
      spec.columns = {"lr"};
    }
    const auto law = formula::compile(spec);
    const int p = law->n_params();
    const double columns[1] = {0.5};
    double params[kMaxParams], grad[kMaxParams];
    for (int k = 0; k < p; ++k) params[k] = law->info.params[k].fixed_value;
    for (double ln_n : {0.0, 20.0, 700.0})
      for (double x : {0.0, -1.0, 0.3}) {
        formula::evaluate<double, double>(law->tape, params, ln_n, 25.0, x, columns);
        formula::log_loss_gradient(law->tape, params, ln_n, 25.0, x, grad, columns);
      }
  } catch (const InputError&) {
  }
  return 0;
}

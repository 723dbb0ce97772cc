#pragma once
// NIST's StRD nonlinear-regression problems (data/nist/) for the C++ tests: a problem's formula as
// a law whose parameters are all fitted as themselves (NIST's take either sign, as
// tools/certified_accuracy.py's law files declare them), and a problem's x, y columns.
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "shannonfit/formula/formula.hpp"

namespace shannonfit::testing {

inline std::shared_ptr<const formula::CompiledLaw> nist_law(
    const std::string& formula, const std::vector<std::string>& parameters) {
  formula::LawSpec spec;
  spec.name = "t";
  spec.formula = formula;
  spec.space = Space::Linear;
  for (const std::string& name : parameters) {
    formula::ParameterSpec p;
    p.name = name;
    p.log = false;
    spec.parameters.push_back(p);
  }
  return formula::compile(spec);
}

struct NistColumns {
  std::vector<double> x, y;
};

// data/nist/<name>.csv's x and y (the problems with one predictor).
inline NistColumns read_nist(const std::string& name) {
  std::ifstream in(std::string(SHANNONFIT_DATA_DIR) + "/nist/" + name + ".csv");
  std::string line;
  std::getline(in, line);
  NistColumns c;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string x, y;
    std::getline(fields, x, ',');
    std::getline(fields, y, ',');
    c.x.push_back(std::stod(x));
    c.y.push_back(std::stod(y));
  }
  return c;
}

}  // namespace shannonfit::testing

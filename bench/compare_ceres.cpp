// The Ceres baseline of tools/compare.sh: ceres::TinySolver with TinySolverAutoDiffFunction (a
// small fixed-size LM with forward-mode Jets, the design shannonfit's solver learns from) on the
// same law templates, points and starts.
//   compare_ceres DIR [--law L] [--repeat R]
// TinySolver minimises 1/2 sum f_i^2 and knows no robust loss, so each residual is the signed
// square root of twice its Huber loss, s(r) = sign(r) sqrt(2 rho(r)): then 1/2 sum s^2 is exactly
// the Huber objective, with the same minimiser. It has no bounds either; the laws' bounds are
// not imposed, which can only help it.
#include <ceres/tiny_solver.h>
#include <ceres/tiny_solver_autodiff_function.h>

#include <CLI/CLI.hpp>

#include "bench_data.hpp"
#include "problem_io.hpp"
#include "shannonfit/laws/all.hpp"

namespace sf = shannonfit;

namespace {

template <class Law>
struct HuberResiduals {
  const std::vector<double>& ln_n;
  const std::vector<double>& ln_d;
  const std::vector<double>& target;
  double delta;

  int NumResiduals() const { return static_cast<int>(target.size()); }

  template <typename T>
  bool operator()(const T* p, T* residuals) const {
    for (std::size_t i = 0; i < target.size(); ++i) {
      const T r = Law::template log_loss<T, double>(p, ln_n[i], ln_d[i], 0.0) - target[i];
      const T a = r < T(0) ? -r : r;
      if (a <= T(delta)) {
        residuals[i] = r;
      } else {
        const T s = sqrt(T(2.0 * delta) * (a - T(0.5 * delta)));
        residuals[i] = r < T(0) ? -s : s;
      }
    }
    return true;
  }
};

template <class Law>
sf::bench::SolverRun fit_all(const sf::Dataset& data, const std::vector<double>& starts,
                             int repeat) {
  constexpr int P = Law::kParams;
  const sf::FitOptions fo = sf::bench::epoch_options();
  const sf::PreparedPoints pts = sf::prepare_points(data, fo.space);
  using Functor = HuberResiduals<Law>;
  using AutoDiff = ceres::TinySolverAutoDiffFunction<Functor, Eigen::Dynamic, P>;
  const Functor functor{pts.ln_n, pts.ln_d, pts.target, fo.huber_delta};
  AutoDiff f(functor);
  ceres::TinySolver<AutoDiff> solver;
  // The tolerances of shannonfit's defaults where TinySolver has the same rule.
  solver.options.max_num_iterations = fo.max_iterations;
  solver.options.parameter_tolerance = fo.step_tol;
  solver.options.function_tolerance = fo.cost_tol;
  solver.options.gradient_tolerance = fo.grad_tol;
  solver.options.cost_threshold = 0;

  const std::size_t n_starts = starts.size() / P;
  sf::bench::SolverRun run;
  run.solver = "ceres-tinysolver";
  run.costs.assign(n_starts, 0);
  run.iterations.assign(n_starts, 0);
  run.params.assign(n_starts, std::vector<double>(P));
  run.seconds = sf::bench::best_seconds(repeat, [&] {
    for (std::size_t s = 0; s < n_starts; ++s) {
      Eigen::Matrix<double, P, 1> x;
      for (int k = 0; k < P; ++k) x[k] = starts[s * P + k];
      solver.Solve(f, &x);
      run.costs[s] = solver.summary.final_cost;
      run.iterations[s] = solver.summary.iterations;
      for (int k = 0; k < P; ++k) run.params[s][k] = x[k];
    }
  });
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Ceres TinySolver baseline of tools/compare.sh"};
  std::string dir, law_name = "chinchilla";
  int repeat = 3;
  app.add_option("dir", dir)->required();
  app.add_option("--law", law_name);
  app.add_option("--repeat", repeat);
  CLI11_PARSE(app, argc, argv);
  try {
    const sf::LawEntry& law = sf::find_law(law_name);
    const sf::Dataset data = sf::bench::read_points(dir);
    const std::vector<double> starts = sf::bench::read_starts(dir, law.n_params);
    bool found = false;
#define SF_CERES_RUN(Law)                                              \
  if (!found && Law::info().name == law_name) {                        \
    found = true;                                                      \
    sf::bench::print_json(fit_all<Law>(data, starts, repeat));         \
  }
    SF_FOR_EACH_LAW(SF_CERES_RUN)
#undef SF_CERES_RUN
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_ceres: %s\n", e.what());
    return 2;
  }
  return 0;
}

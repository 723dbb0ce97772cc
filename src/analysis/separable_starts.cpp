#include "analysis/separable_starts.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "analysis/nnls.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The theta grid: axis j has size[j] values lo + i * step; the last axis varies fastest.
struct Grid {
  const SeparableForm& form;
  std::vector<long> size;
  long total = 1;

  explicit Grid(const SeparableForm& f) : form(f) {
    for (const auto& axis : f.theta) {
      size.push_back(static_cast<long>(std::floor((axis.hi - axis.lo) / axis.step + 1e-9)) + 1);
      total *= size.back();
    }
  }
  int dims() const { return static_cast<int>(size.size()); }
  void coords(long index, long* c) const {
    for (int j = dims(); j-- > 0;) {
      c[j] = index % size[j];
      index /= size[j];
    }
  }
  void theta(long index, double* t) const {
    long c[kMaxParams];
    coords(index, c);
    for (int j = 0; j < dims(); ++j) t[j] = form.theta[j].lo + c[j] * form.theta[j].step;
  }
};

// One weighting's data as the scan reads it: the points with a positive weight, the weight of
// their row in the NNLS and that weight times their data-space loss y (the NNLS right side).
struct Weighting {
  std::vector<double> ln_n, ln_d, x, target, weight, row_weight, row_weight_y;

  Weighting(const PointsView<double>& p, const double* w, Space space) {
    for (int i = 0; i < p.n; ++i) {
      const double wi = w ? w[i] : 1.0;
      if (!(wi > 0)) continue;
      const double y = space == Space::Log ? std::exp(p.target[i]) : p.target[i];
      ln_n.push_back(p.ln_n[i]);
      ln_d.push_back(p.ln_d[i]);
      x.push_back(p.x ? p.x[i] : 0.0);
      target.push_back(p.target[i]);
      weight.push_back(wi);
      row_weight.push_back(space == Space::Log ? wi / (y * y) : wi);
      row_weight_y.push_back(row_weight.back() * y);
    }
  }
  std::size_t size() const { return ln_n.size(); }
};

struct GridFit {
  double score = kInf;
  double c[4] = {0, 0, 0, 0};
};

// The NNLS coefficients at theta and the fit's objective there. `phi` is scratch of
// size() * terms values.
GridFit fit_at(const SeparableForm& form, const Weighting& w, const double* theta,
               const FitOptions& o, std::vector<double>& phi) {
  const int k = static_cast<int>(form.coef_params.size());
  const std::size_t n = w.size();
  double gram[16] = {}, rhs[4] = {};
  for (std::size_t i = 0; i < n; ++i) {
    double* f = phi.data() + i * k;
    form.basis(theta, w.ln_n[i], w.ln_d[i], w.x[i], f);
    const double rw = w.row_weight[i];
    const double ry = w.row_weight_y[i];
    for (int a = 0; a < k; ++a) {
      rhs[a] += ry * f[a];
      for (int b = 0; b <= a; ++b) gram[a * k + b] += rw * f[a] * f[b];
    }
  }
  for (int a = 0; a < k; ++a)
    for (int b = 0; b < a; ++b) gram[b * k + a] = gram[a * k + b];
  const NnlsResult c = nnls_normal(gram, rhs, k);
  GridFit out;
  std::copy(c.c, c.c + 4, out.c);
  double cost = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double* f = phi.data() + i * k;
    double pred = 0;
    for (int a = 0; a < k; ++a) pred += c.c[a] * f[a];
    const double r = (o.space == Space::Log ? std::log(pred) : pred) - w.target[i];
    cost += w.weight[i] * (o.loss == LossKind::Huber ? detail::huber_rho(r, o.huber_delta)
                                                      : 0.5 * r * r);
  }
  out.score = std::isfinite(cost) ? cost : kInf;
  return out;
}

// (score, index) as one total order, so ties never depend on evaluation order.
bool before(const std::vector<GridFit>& fits, long a, long b) {
  if (fits[a].score != fits[b].score) return fits[a].score < fits[b].score;
  return a < b;
}

bool local_minimum(const Grid& grid, const std::vector<GridFit>& fits, long index) {
  if (!std::isfinite(fits[index].score)) return false;
  const int d = grid.dims();
  long c[kMaxParams];
  grid.coords(index, c);
  long neighbours = 1;
  for (int j = 0; j < d; ++j) neighbours *= 3;
  for (long m = 0; m < neighbours; ++m) {
    long rest = m, other = 0;
    bool inside = true, self = true;
    for (int j = 0; j < d; ++j) {
      const long step = rest % 3 - 1;
      rest /= 3;
      const long cj = c[j] + step;
      inside = inside && cj >= 0 && cj < grid.size[j];
      self = self && step == 0;
      other = other * grid.size[j] + cj;
    }
    if (inside && !self && before(fits, other, index)) return false;
  }
  return true;
}

// Grid indices of the starts: local minima best first, then the best other points.
std::vector<long> choose(const Grid& grid, const std::vector<GridFit>& fits, int max_starts) {
  std::vector<long> order(fits.size());
  std::iota(order.begin(), order.end(), 0L);
  std::sort(order.begin(), order.end(), [&](long a, long b) { return before(fits, a, b); });
  const std::size_t want = std::min<std::size_t>(std::max(max_starts, 0), order.size());
  std::vector<long> chosen;
  std::vector<char> taken(fits.size(), 0);
  for (long i : order) {
    if (chosen.size() == want) break;
    if (local_minimum(grid, fits, i)) {
      chosen.push_back(i);
      taken[i] = 1;
    }
  }
  for (long i : order) {
    if (chosen.size() == want) break;
    if (!taken[i]) chosen.push_back(i);
  }
  return chosen;
}

// A grid point as a start in the law's solver space.
void to_params(const LawInfo& info, const SeparableForm& form, const double* theta,
               const GridFit& fit, double* p) {
  for (std::size_t k = 0; k < info.params.size(); ++k) p[k] = info.params[k].fixed_value;
  for (std::size_t j = 0; j < form.theta.size(); ++j) p[form.theta[j].param] = theta[j];
  for (std::size_t k = 0; k < form.coef_params.size(); ++k) {
    const ParamSpec& spec = info.params[form.coef_params[k]];
    const double c = fit.c[k];
    const double v = spec.reported == Reported::Exp ? (c > 0 ? std::log(c) : spec.lo) : c;
    p[form.coef_params[k]] = std::clamp(v, spec.lo, spec.hi);
  }
}

void scan(const LawEntry& law, const SeparableForm& form, const Weighting& w,
          const FitOptions& o, int max_starts, int threads, double* out) {
  const Grid grid(form);
  std::vector<GridFit> fits(grid.total);
  const int terms = static_cast<int>(form.coef_params.size());
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    std::vector<double> phi(w.size() * terms);
    double theta[kMaxParams];
#pragma omp for schedule(static)
    for (long g = 0; g < grid.total; ++g) {
      grid.theta(g, theta);
      fits[g] = fit_at(form, w, theta, o, phi);
    }
  }
  const int p = law.n_params;
  double theta[kMaxParams];
  for (long g : choose(grid, fits, max_starts)) {
    grid.theta(g, theta);
    to_params(law.info, form, theta, fits[g], out);
    out += p;
  }
}

}  // namespace

long separable_start_count(const SeparableForm& form, int max_starts) {
  return std::min<long>(std::max(max_starts, 0), Grid(form).total);
}

std::string separable_law_names() {
  std::string names;
  for (const auto& l : all_laws())
    if (l.separable) names += (names.empty() ? "" : ", ") + l.info.name;
  return names;
}

const SeparableForm& require_separable(const LawEntry& law) {
  if (law.separable) return *law.separable;
  throw InputError("law '" + law.info.name +
                   "' is not separable (not linear in some of its parameters with the others "
                   "fixed); separable laws: " + separable_law_names());
}

std::vector<double> separable_starts(const LawEntry& law, const SeparableForm& form,
                                     const PointsView<double>& points, const double* weights,
                                     const FitOptions& options, int max_starts, int threads) {
  std::vector<double> out(separable_start_count(form, max_starts) * law.n_params);
  scan(law, form, Weighting(points, weights, options.space), options, max_starts,
       threads > 0 ? threads : omp_get_max_threads(), out.data());
  return out;
}

std::vector<double> separable_starts_batch(const LawEntry& law, const Dataset& data,
                                           const FitOptions& options, const double* weights,
                                           const double* targets, long count, int max_starts,
                                           int threads) {
  const SeparableForm& form = require_separable(law);
  const PreparedPoints prepared = prepare_points(data, options.space);
  const long n = static_cast<long>(data.size());
  const long rows = separable_start_count(form, max_starts) * law.n_params;
  const double* data_weights = data.weight.empty() ? nullptr : data.weight.data();
  std::vector<double> out(count * rows);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads > 0 ? threads : omp_get_max_threads())
  for (long r = 0; r < count; ++r) {
    PointsView<double> view = prepared.view();
    if (targets) view.target = targets + r * n;
    const Weighting w(view, weights ? weights + r * n : data_weights, options.space);
    scan(law, form, w, options, max_starts, 1, out.data() + r * rows);
  }
  return out;
}

}  // namespace shannonfit

#pragma once
// Laws written as formulas (issue 22): parse once, compile to an instruction tape, evaluate the
// tape exactly on doubles, Jets and SIMD lanes (evaluate.hpp), generate CUDA for NVRTC
// (nvrtc.hpp).
//
// A formula names the variables N, D, x (perturbation strength) and any further data columns
// the caller declares; every other identifier is a parameter. Numbers, + - * / ^ (also **;
// right-associative, binding tighter than unary minus: -2^2 = -4), unary minus, and the
// functions exp log log2 log10 log1p sqrt pow min max cos sin atan. The formula is the law's value L; the
// tape computes ln L̂ from ln N and ln D, as a built-in law's log_loss does, so N^alpha becomes
// exp(alpha ln N), a positive sum's logarithm a log-sum-exp of its terms' logarithms, and
// ln log(1 + z) with z > 0 shannon.hpp's log_log1p_exp of ln z: the naive formula is evaluated in
// the careful form the built-in laws are written in (tests/unit_formula_tape.cpp checks them
// against each other to 1e-12). A parameter that only ever scales a positive quantity is fitted
// as its logarithm and reported as itself, as the built-in laws' A, B, E are.
//
// ---- How a formula law runs in the engine ----
// - Solver: fit_one, linearize, cost_at and the lane pass take the law as an instance (`const
//   Law&`); a built-in law is an empty struct (fit_one's overload without one passes Law{}), a
//   formula law is FormulaLaw<P> (evaluate.hpp) over its tape. The lane pass hands a formula law
//   whole blocks of lane groups (lane_linearize.hpp's BlockLogLoss: one dispatch per tape step
//   per block).
// - Registry: LawEntry::formula holds the CompiledLaw (null for built-in laws); its log_loss,
//   log_loss_gradient and separable basis are function objects over the tape. The CPU solver is
//   instantiated once per parameter count, 1 .. kMaxParams, each in its own translation unit,
//   for baseline x86-64 only (src/laws/formula_entry.hpp, cmake/law_shards.cmake); the
//   reference path sizes its derivatives at run time and needs one instantiation for all.
//   resolve_law (batch.hpp) turns a --law argument into an entry: a built-in name, "name:
//   formula" or a *.json law file; formula laws stay registered under their names, so
//   find_law finds them afterwards (bootstrap output, predict --params).
// - CLI and Python: every --law (and Python's law=/laws=) goes through resolve_law; the
//   identifiability check runs before fitting (cli/common.cpp's require_fittable) and warns.
// - CUDA: nvrtc.hpp compiles the built-in fit kernel (fit_kernel.cuh) for the law when a batch
//   first runs on a device, cached by formula, engine version and architecture;
//   cuda_cubin_kernel.hpp loads it with the driver API and runs it with the built-in driver, so
//   --backend auto and cuda treat a formula law as a built-in one.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shannonfit/errors.hpp"
#include "shannonfit/formula/tape.hpp"
#include "shannonfit/lm.hpp"
#include "shannonfit/law.hpp"

namespace shannonfit::formula {

// A malformed formula: the message quotes the formula with a caret under `position`.
class FormulaError : public InputError {
 public:
  FormulaError(const std::string& message, std::size_t position)
      : InputError(message), position_(position) {}
  std::size_t position() const { return position_; }

 private:
  std::size_t position_;
};

enum class Function : unsigned char {
  Exp, Log, Log2, Log10, Log1p, Sqrt, Pow, Min, Max, Cos, Sin, Atan
};

// The variables every formula may name; further columns are numbered from kFirstColumn.
enum Variable : int { kVariableN = 0, kVariableD = 1, kVariableX = 2, kFirstColumn = 3 };

struct Node {
  enum class Kind : unsigned char { Number, Variable, Parameter, Negate, Sum, Product, Power, Call };
  Kind kind = Kind::Number;
  std::size_t position = 0;  // of the node's first character in the formula
  double number = 0;         // Number
  std::string name;          // Variable, Parameter, Call (as written)
  int index = -1;            // Variable: a Variable value; Parameter: its index
  Function function = Function::Exp;
  std::vector<Node> args;     // Sum terms, Product factors, Power base and exponent, Call's
  std::vector<bool> inverse;  // Sum: the term is subtracted; Product: the factor divides
};

struct ParseOptions {
  std::vector<std::string> columns;  // further data columns the formula may name
  // When set, only these identifiers are parameters, and any other is an unknown variable.
  std::optional<std::vector<std::string>> parameters;
  std::string what = "formula";  // how messages name the formula (an option, a file's field)
};

struct Expression {
  std::string text;
  Node root;
  std::vector<std::string> parameters;  // declared order, else order of first appearance
  std::vector<std::string> columns;     // ParseOptions::columns
  bool uses_n = false, uses_d = false, uses_x = false;
  std::vector<bool> uses_column;
};

// Limits that keep hostile input cheap: characters, parser nesting (parentheses, unary signs,
// powers and calls) and nodes.
constexpr std::size_t kMaxFormulaLength = 16384;
constexpr int kMaxNesting = 64;
constexpr int kMaxNodes = 4096;
// Further data columns one law may read (each holds a slot of the tape's point bank).
constexpr std::size_t kMaxColumns = 16;

// Throws FormulaError.
Expression parse(const std::string& text, const ParseOptions& options = {});

// How a parameter appears in the formula, which decides how it is fitted by default.
enum class Role : unsigned char {
  Scale,     // only ever a factor or an added term of a positive quantity: fitted as its log
  Exponent,  // only inside the exponents of ^ and pow
  Free,      // anything else (subtracted, negated, inside exp(), ...)
};

// A parameter as the law file (or the defaults) gives it, in the units users read.
struct ParameterSpec {
  std::string name;
  std::optional<bool> log;  // fitted as its logarithm; default: Role::Scale
  std::optional<double> min, max;
  std::vector<double> grid;     // start values; default from the bounds (default_grid)
  std::optional<double> start;  // the single start; default: the grid's middle value
};

struct LawSpec {
  std::string name;
  std::string formula;
  std::string citation;
  std::vector<ParameterSpec> parameters;  // may be partial: the rest take defaults
  std::vector<std::string> columns;       // data columns the formula reads (ColumnBinding)
  Space space = Space::Log;
  std::optional<MinDistinct> min_distinct;
  std::string source = "--law";   // how messages name where the law came from ("law.json")
  std::string where = "formula";  // how messages name the formula ("law.json: field 'formula'")
};

// "name: formula" or "name(col1, col2): formula" (the command-line form; the names in parentheses
// are data columns, LawSpec::columns). Throws InputError.
LawSpec parse_law_argument(const std::string& argument, const std::string& option = "--law");
// A JSON law file: {"name", "formula", "citation", "parameters": [{"name", "min", "max",
// "log", "grid", "start"}...] or {"A": {...}, ...}, "columns", "space": "log"|"linear",
// "min_distinct": {"N", "D", "x"}}. Throws InputError naming the file and field.
LawSpec parse_law_json(const std::string& text, const std::string& source);
LawSpec load_law_file(const std::string& path);

// The structure the separable start search needs (law.hpp's SeparableForm): the formula is
// sum_k c_k phi_k(theta) with each c_k a log-fitted parameter appearing in its term alone.
struct Separable {
  std::vector<SeparableForm::Axis> theta;
  std::vector<int> coef_params;
  std::vector<Tape> basis;  // phi_k: term k's value with c_k = 1, over all parameters
};

// L = offset(theta) + sum_k c_k phi_k(theta): the parameters a least-squares fit on L can solve
// for exactly once the others are fixed (variable projection, src/analysis/projected_starts.hpp).
// Each c_k is fitted as itself and reaches L through sums, negations and factors that multiply
// it alone, e.g. b1, b2 and b3 of MGH17's b1 + b2*exp(-x*b4) + b3*exp(-x*b5).
struct LinearPart {
  std::vector<int> coef_params;
  std::vector<int> theta;   // every other parameter, in index order
  std::vector<Tape> basis;  // phi_k = dL/dc_k, over all parameters (c's values unread)
  Tape offset;              // L with every c_k = 0
};

// Which data each of the solver's three per-row values holds for this law. The solver carries
// ln N, ln D and x per row; a declared column the formula reads takes a value the formula leaves
// free: x's first (read as it stands, any finite number), then N's and D's (read as
// logarithms, so positive). A law therefore reads at most three data variables, and the N and
// D columns (--n-col, --d-col) are read only when the formula names N or D.
struct ColumnBinding {
  bool uses_n = false, uses_d = false, uses_x = false;  // the value is read at all
  // The declared column read in place of N, D or x; empty: N, D or x themselves.
  std::string n, d, x;
  bool reads_columns() const { return !n.empty() || !d.empty() || !x.empty(); }
};

// How the default start search spreads one parameter, in solver space (compile.cpp's
// search_axes says which parameter gets which).
struct SearchAxis {
  enum class Kind : unsigned char {
    Grid,        // one of `grid`'s values
    Uniform,     // uniform over [lo, hi]
    Decades,     // center times 10^u, u uniform over +-kSearchDecades, either sign
    LogDecades,  // a log-fitted parameter: its logarithm center +- kSearchDecades decades
  };
  Kind kind = Kind::Uniform;
  double lo = 0, hi = 0;  // the parameter's box; every value is kept inside it
  double center = 0;
  std::vector<double> grid;
  // The value at u in [0, 1); sign_draw in [0, 1) picks a Decades value's sign (< 0.5: minus).
  double value(double u, double sign_draw) const;
  // `points` values evenly over the axis (a Grid's values; Decades: half of each sign).
  std::vector<double> scan(int points) const;
};
constexpr int kDefaultSearchStarts = 256;
constexpr double kSearchDecades = 3;

struct CompiledLaw {
  LawInfo info;  // solver-space bounds, grids, reported names, min_distinct, needs
  Space space = Space::Log;
  Expression expression;
  std::vector<Role> roles;
  ColumnBinding columns;
  // The start search when a parameter has neither bounds nor a grid: one axis per parameter,
  // and scattered_starts(*this, kDefaultSearchStarts), S rows of n_params() values in solver
  // space. Both empty: the grid (start_grid(info)).
  std::vector<SearchAxis> search;
  std::vector<double> starts;
  Tape tape;  // ln L̂
  // L̂ itself, of any sign: what a linear-space fit runs (laws/formula_entry_impl.hpp) and
  // predicts from (analysis/law_value.hpp), so a law may cross zero where ln L̂ cannot.
  Tape value;
  std::optional<Separable> separable;
  std::optional<LinearPart> linear;  // absent when L is linear in no parameter fitted as itself
  int n_params() const { return static_cast<int>(info.params.size()); }
};

// Parses and compiles; throws InputError (FormulaError for the formula itself).
std::shared_ptr<const CompiledLaw> compile(const LawSpec& spec);

// `count` starts of the law's search (law.search non-empty): the default start first, then
// draws along every axis from a fixed seed, so the first k of any count are the same.
std::vector<double> scattered_starts(const CompiledLaw& law, int count);

// phi_k at one point for theta in the order of separable.theta (SeparableForm::basis's shape).
void separable_basis(const CompiledLaw& law, const double* theta, double ln_n, double ln_d,
                     double x, double* phi);

// Before fitting: parameters that cannot be identified from these points at any of the starts.
struct IdentifiabilityCheck {
  std::vector<int> unused;      // the loss does not depend on them at any point and start
  // A direction in parameter space along which the loss is flat at every start tried (the
  // Jacobian's null space, columns scaled to unit norm), e.g. shannon's b, c, d, e together.
  std::vector<std::vector<double>> flat_directions;
  bool ok() const { return unused.empty() && flat_directions.empty(); }
  // "parameter k does not affect the loss" / "flat direction: ..." lines, empty when ok().
  std::string describe(const CompiledLaw& law) const;
};
IdentifiabilityCheck check_identifiability(const CompiledLaw& law, const PointsView<double>& points,
                                           const std::vector<double>& starts);

}  // namespace shannonfit::formula

#include "analysis/bootstrap_io.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "io/csv.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

namespace {

std::vector<std::string> param_columns(const std::vector<StoredRun>& runs) {
  std::vector<std::string> names;
  for (const StoredRun& r : runs)
    for (const ParamSpec& p : find_law(r.run.law).info.params)
      if (std::find(names.begin(), names.end(), p.name) == names.end()) names.push_back(p.name);
  return names;
}

std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

FitStatus parse_status(const std::string& s, bool& known) {
  for (FitStatus st : {FitStatus::ConvergedStep, FitStatus::ConvergedCost,
                       FitStatus::ConvergedGradient, FitStatus::MaxIterations,
                       FitStatus::NonFinite, FitStatus::Singular})
    if (s == to_string(st)) {
      known = true;
      return st;
    }
  known = false;
  return FitStatus::NonFinite;
}

}  // namespace

std::string params_csv(const std::vector<StoredRun>& runs) {
  const std::vector<std::string> columns = param_columns(runs);
  std::string out = "law,by,kind,index,status,ok,cost";
  for (const auto& c : columns) out += "," + quoted(c);
  out += "\n";
  for (const StoredRun& stored : runs) {
    const BootstrapResult& r = stored.run;
    const LawInfo& info = find_law(r.law).info;
    auto row = [&](const char* kind, std::size_t index, const double* params, double cost,
                   FitStatus status, bool ok) {
      out += quoted(r.law) + "," + quoted(stored.by) + "," + kind + "," + std::to_string(index) +
             "," + to_string(status) + "," + (ok ? "1" : "0") + "," + number(cost);
      for (const auto& c : columns) {
        out += ",";
        for (std::size_t k = 0; k < info.params.size(); ++k)
          if (info.params[k].name == c) out += number(params[k]);
      }
      out += "\n";
    };
    row("full", 0, r.full.params.data(), r.full.cost, r.full.status,
        std::isfinite(r.full.cost));
    for (std::size_t i = 0; i < r.jackknife.size(); ++i)
      row("jackknife", i, r.jackknife[i].params.data(), r.jackknife[i].cost, r.jackknife[i].status,
          r.jackknife[i].ok());
    for (std::size_t i = 0; i < r.resamples.size(); ++i)
      row("resample", i, r.resamples[i].params.data(), r.resamples[i].cost, r.resamples[i].status,
          r.resamples[i].ok());
  }
  return out;
}

std::vector<StoredRun> read_params_csv(const std::string& path) {
  const io::Table t = io::read_csv(path);
  const int law_col = io::find_column(t, "law", "--params");
  const int by_col = io::find_column(t, "by", "--params");
  const int kind_col = io::find_column(t, "kind", "--params");
  const int index_col = io::find_column(t, "index", "--params");
  const int status_col = io::find_column(t, "status", "--params");
  const int cost_col = io::find_column(t, "cost", "--params");
  std::vector<StoredRun> runs;
  std::map<std::pair<std::string, std::string>, std::size_t> where;
  std::vector<bool> have_full;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    const std::string at = path + ":" + std::to_string(t.line[r]) + ": ";
    const LawEntry* law = nullptr;
    try {
      law = &find_law(row[law_col]);
    } catch (const std::invalid_argument& e) {
      throw InputError(at + "column 'law': " + e.what());
    }
    const auto key = std::make_pair(row[law_col], row[by_col]);
    if (!where.count(key)) {
      where[key] = runs.size();
      runs.push_back({row[by_col], {}});
      runs.back().run.law = law->info.name;
      runs.back().run.n_params = law->n_params;
      have_full.push_back(false);
    }
    const std::size_t run_index = where[key];
    BootstrapResult& run = runs[run_index].run;
    const auto cell = [&](int col, const std::string& name) {
      double v = 0;
      if (!io::parse_number(row[col], v))
        throw InputError(at + "column '" + name + "': '" + row[col] + "' is not a number");
      return v;
    };
    ResampleFit fit;
    bool known = false;
    fit.status = parse_status(row[status_col], known);
    if (!known) throw InputError(at + "column 'status': unknown status '" + row[status_col] + "'");
    fit.cost = cell(cost_col, "cost");
    for (int k = 0; k < law->n_params; ++k) {
      const std::string& name = law->info.params[k].name;
      fit.params[k] = cell(io::find_column(t, name, "--params"), name);
    }
    const double index = cell(index_col, "index");
    if (index < 0 || index != std::floor(index))
      throw InputError(at + "column 'index': not a non-negative integer");
    const std::string& kind = row[kind_col];
    std::vector<ResampleFit>* target = nullptr;
    if (kind == "full") {
      run.full.n_params = law->n_params;
      run.full.params = fit.params;
      run.full.cost = fit.cost;
      run.full.status = fit.status;
      run.full.best_start = 0;
      have_full[run_index] = true;
      continue;
    }
    if (kind == "jackknife") target = &run.jackknife;
    else if (kind == "resample") target = &run.resamples;
    else throw InputError(at + "column 'kind': expected full, jackknife or resample, got '" + kind + "'");
    const auto i = static_cast<std::size_t>(index);
    if (target->size() <= i) target->resize(i + 1);
    (*target)[i] = fit;
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (!have_full[i])
      throw InputError(path + ": law '" + runs[i].run.law + "' has no 'full' row (the full-data fit)");
    runs[i].run.requested = static_cast<int>(runs[i].run.resamples.size());
  }
  return runs;
}

}  // namespace shannonfit

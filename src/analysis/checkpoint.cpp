#include "analysis/checkpoint.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/output.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

namespace {

constexpr const char* kFormat = "shannonfit-checkpoint";
constexpr int kVersion = 1;

class Fnv1a {
 public:
  void add(const void* bytes, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(bytes);
    for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 1099511628211ULL;
  }
  template <class T>
  void add_all(const std::vector<T>& v) {
    const std::uint64_t n = v.size();
    add(&n, sizeof n);
    if (!v.empty()) add(v.data(), v.size() * sizeof(T));
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 14695981039346656037ULL;
};

// Doubles travel as their bit patterns: JSON numbers cannot hold NaN or infinities (failed fits
// have them) and a resumed run must be bit-identical.
std::string bits(double v) {
  std::uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, u);
  return buf;
}

double from_bits(const std::string& s, const std::string& where) {
  if (s.size() != 16 || s.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw InputError(where + ": '" + s + "' is not a 16-digit hex double");
  const std::uint64_t u = std::strtoull(s.c_str(), nullptr, 16);
  double v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}

std::string hex64(std::uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

std::string exact(double v) { return bits(v) + " (" + std::to_string(v) + ")"; }

nlohmann::json row_json(const ResampleFit& f) {
  nlohmann::json params = nlohmann::json::array();
  for (double p : f.params) params.push_back(bits(p));
  return {static_cast<int>(f.status), f.best_start, f.failed_starts, f.iterations, bits(f.cost),
          params};
}

ResampleFit row_from(const nlohmann::json& j, const std::string& where) {
  if (!j.is_array() || j.size() != 6 || !j[5].is_array() || j[5].size() != kMaxParams)
    throw InputError(where + ": malformed row");
  ResampleFit f;
  const int status = j[0].get<int>();
  if (status < 0 || status > static_cast<int>(FitStatus::Singular))
    throw InputError(where + ": unknown fit status " + std::to_string(status));
  f.status = static_cast<FitStatus>(status);
  f.best_start = j[1].get<int>();
  f.failed_starts = j[2].get<int>();
  f.iterations = j[3].get<int>();
  f.cost = from_bits(j[4].get<std::string>(), where);
  for (int k = 0; k < kMaxParams; ++k) f.params[k] = from_bits(j[5][k].get<std::string>(), where);
  return f;
}

nlohmann::json rows_json(const std::vector<ResampleFit>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : rows) out.push_back(row_json(row));
  return out;
}

std::vector<ResampleFit> rows_from(const nlohmann::json& j, const std::string& where) {
  std::vector<ResampleFit> rows;
  for (std::size_t i = 0; i < j.size(); ++i)
    rows.push_back(row_from(j[i], where + " row " + std::to_string(i)));
  return rows;
}

std::string field(const CheckpointKey& key, const std::string& name) {
  for (const auto& [k, v] : key)
    if (k == name) return v;
  return "";
}

}  // namespace

std::uint64_t dataset_checksum(const Dataset& data) {
  Fnv1a h;
  h.add_all(data.n);
  h.add_all(data.d);
  h.add_all(data.loss);
  h.add_all(data.x);
  h.add_all(data.weight);
  h.add_all(data.group);
  for (const auto& g : data.group_names) h.add(g.c_str(), g.size() + 1);
  return h.value();
}

CheckpointKey checkpoint_key(const std::string& label, const Dataset& data, const LawEntry& law,
                             const BootstrapOptions& o) {
  std::string starts;
  for (double v : o.full_starts) starts += bits(v);
  const FitOptions& f = o.fit;
  return {{"run", label + " / " + law.info.name},
          {"data", std::to_string(data.size()) + " rows, checksum " + hex64(dataset_checksum(data))},
          {"seed", std::to_string(o.seed)},
          {"scheme", to_string(o.scheme)},
          {"starts", to_string(o.starts)},
          {"resamples", std::to_string(o.resamples)},
          {"jackknife", o.jackknife ? "on" : "off"},
          {"space", to_string(f.space)},
          {"loss", f.loss == LossKind::Huber ? "huber, delta " + exact(f.huber_delta) : "l2"},
          {"max_iterations", std::to_string(f.max_iterations)},
          {"tolerances", exact(f.step_tol) + " " + exact(f.cost_tol) + " " + exact(f.grad_tol)},
          {"backend", to_string(o.backend)},
          {"full_starts", hex64(std::hash<std::string>{}(starts))}};
}

CheckpointFile::CheckpointFile(std::string path, bool resume, bool force) : path_(std::move(path)) {
  if (!resume) {
    io::check_writable(path_, force);
    return;
  }
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw InputError("--resume: cannot open checkpoint '" + path_ + "': " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.str());
    if (doc.value("format", "") != kFormat || doc.value("version", 0) != kVersion)
      throw InputError("--resume: '" + path_ + "' is not a shannonfit checkpoint (format " +
                       kFormat + " version " + std::to_string(kVersion) + ")");
    for (const auto& r : doc.at("runs")) {
      CheckpointRun run;
      for (const auto& kv : r.at("key")) run.key.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
      const std::string where = path_ + ": run '" + field(run.key, "run") + "'";
      run.jackknife = rows_from(r.at("jackknife"), where + " jackknife");
      run.resamples = rows_from(r.at("resamples"), where + " resamples");
      runs_.push_back(std::move(run));
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError("--resume: '" + path_ + "' is damaged: " + e.what());
  }
}

const CheckpointRun* CheckpointFile::find(const CheckpointKey& key) const {
  const std::string run = field(key, "run");
  for (const auto& stored : runs_) {
    if (field(stored.key, "run") != run) continue;
    for (const auto& [name, value] : key) {
      const std::string had = field(stored.key, name);
      if (had != value)
        throw InputError("--resume: checkpoint '" + path_ + "' does not belong to this run: for " +
                         run + " it was written with " + name + " = " + had + ", this run has " +
                         name + " = " + value + " (start afresh without --resume)");
    }
    if (stored.key.size() != key.size())
      throw InputError("--resume: checkpoint '" + path_ + "' has a different key layout for " + run);
    return &stored;
  }
  return nullptr;
}

void CheckpointFile::save(const CheckpointKey& key, const std::vector<ResampleFit>& jackknife,
                          const std::vector<ResampleFit>& resamples) {
  CheckpointRun* slot = nullptr;
  for (auto& r : runs_)
    if (field(r.key, "run") == field(key, "run")) slot = &r;
  if (!slot) {
    runs_.push_back({key, {}, {}});
    slot = &runs_.back();
  }
  slot->key = key;
  slot->jackknife = jackknife;
  slot->resamples = resamples;

  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : runs_) {
    nlohmann::json k = nlohmann::json::array();
    for (const auto& [name, value] : r.key) k.push_back({name, value});
    runs.push_back({{"key", k},
                    {"jackknife", rows_json(r.jackknife)},
                    {"resamples", rows_json(r.resamples)}});
  }
  const nlohmann::json doc = {{"format", kFormat}, {"version", kVersion}, {"runs", runs}};
  io::write_file(path_, doc.dump() + "\n", true);
}

}  // namespace shannonfit

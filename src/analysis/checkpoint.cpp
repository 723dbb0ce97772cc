#include "analysis/checkpoint.hpp"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "io/input.hpp"
#include "io/output.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

namespace {

constexpr const char* kFormat = "shannonfit-checkpoint";
constexpr int kVersion = 2;

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
    throw CheckpointError(where + ": '" + s + "' is not a 16-digit hex double");
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
  if (!j.is_array() || j.size() != 6 || !j[5].is_array() || j[5].size() != kMaxParams ||
      !j[0].is_number_integer() || !j[1].is_number_integer() || !j[2].is_number_integer() ||
      !j[3].is_number_integer() || !j[4].is_string())
    throw CheckpointError(where + ": malformed row");
  ResampleFit f;
  const int status = j[0].get<int>();
  if (status < 0 || status > static_cast<int>(FitStatus::Singular))
    throw CheckpointError(where + ": unknown fit status " + std::to_string(status));
  f.status = static_cast<FitStatus>(status);
  f.best_start = j[1].get<int>();
  f.failed_starts = j[2].get<int>();
  f.iterations = j[3].get<int>();
  f.cost = from_bits(j[4].get<std::string>(), where);
  for (int k = 0; k < kMaxParams; ++k) {
    if (!j[5][k].is_string()) throw CheckpointError(where + ": malformed row");
    f.params[k] = from_bits(j[5][k].get<std::string>(), where);
  }
  // A converged fit has a finite cost and finite parameters; anything else was not written by a
  // run and would enter the intervals as a valid resample.
  bool finite = std::isfinite(f.cost);
  for (double p : f.params) finite = finite && std::isfinite(p);
  if (f.ok() && !finite)
    throw CheckpointError(where + ": a converged fit with a value that is not finite");
  return f;
}

nlohmann::json rows_json(const std::vector<ResampleFit>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : rows) out.push_back(row_json(row));
  return out;
}

std::vector<ResampleFit> rows_from(const nlohmann::json& j, const std::string& where) {
  if (!j.is_array()) throw CheckpointError(where + ": not a list of rows");
  std::vector<ResampleFit> rows;
  for (std::size_t i = 0; i < j.size(); ++i)
    rows.push_back(row_from(j[i], where + " row " + std::to_string(i)));
  return rows;
}

nlohmann::json key_json(const CheckpointKey& key) {
  nlohmann::json k = nlohmann::json::array();
  for (const auto& [name, value] : key) k.push_back({name, value});
  return k;
}

// What the whole-document checksum covers: everything but the checksum itself, compact.
std::string digest_of(const nlohmann::json& doc) {
  nlohmann::json body = doc;
  body.erase("sha256");
  return io::sha256_hex(body.dump());
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
  for (double v : o.fit.full_starts) starts += bits(v);
  const FitOptions& f = o.fit.options;
  return {{"run", label + " / " + law.info.name},
          {"data", std::to_string(data.size()) + " rows, checksum " + hex64(dataset_checksum(data))},
          {"seed", std::to_string(o.seed)},
          {"scheme", to_string(o.scheme)},
          {"starts", to_string(o.fit.starts)},
          {"resamples", std::to_string(o.resamples)},
          {"jackknife", o.jackknife ? "on" : "off"},
          {"space", to_string(f.space)},
          {"loss", f.loss == LossKind::Huber ? "huber, delta " + exact(f.huber_delta) : "l2"},
          {"max_iterations", std::to_string(f.max_iterations)},
          {"tolerances", exact(f.step_tol) + " " + exact(f.cost_tol) + " " + exact(f.grad_tol)},
          {"backend", to_string(o.fit.backend)},
          {"full_starts", hex64(std::hash<std::string>{}(starts))}};
}

CheckpointFile::CheckpointFile(std::string path, bool resume) : path_(std::move(path)) {
  if (!resume) return;
  const std::string text = io::read_input(path_, "--checkpoint");
  const std::string refuse = "--resume: refusing checkpoint '" + path_ + "': ";
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(refuse + "it is damaged or truncated (" + e.what() +
                          "); start afresh without --resume");
  }
  if (!doc.is_object() || doc.value("format", "") != kFormat)
    throw CheckpointError(refuse + "it is not a shannonfit checkpoint");
  if (doc.value("version", 0) != kVersion)
    throw CheckpointError(refuse + "it was written in checkpoint format version " +
                          doc.value("version", nlohmann::json()).dump() + ", this shannonfit "
                          "reads version " + std::to_string(kVersion) +
                          "; start afresh without --resume");
  if (!doc.contains("sha256") || !doc["sha256"].is_string() ||
      doc["sha256"].get<std::string>() != digest_of(doc))
    throw CheckpointError(refuse + "its checksum does not match its contents: the file was "
                          "changed or damaged after it was written; start afresh without "
                          "--resume");
  try {
    for (const auto& r : doc.at("runs")) {
      CheckpointRun run;
      for (const auto& kv : r.at("key"))
        run.key.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
      const std::string where = path_ + ": run '" + field(run.key, "run") + "'";
      if (r.at("key_sha256").get<std::string>() != io::sha256_hex(key_json(run.key).dump()))
        throw CheckpointError(refuse + "the key of run '" + field(run.key, "run") +
                              "' does not match its checksum");
      run.jackknife = rows_from(r.at("jackknife"), where + " jackknife");
      run.resamples = rows_from(r.at("resamples"), where + " resamples");
      runs_.push_back(std::move(run));
    }
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(refuse + "its layout is damaged (" + e.what() + ")");
  }
}

const CheckpointRun* CheckpointFile::find(const CheckpointKey& key, std::size_t max_jackknife,
                                          std::size_t max_resamples) const {
  const std::string run = field(key, "run");
  for (const auto& stored : runs_) {
    if (field(stored.key, "run") != run) continue;
    for (const auto& [name, value] : key) {
      const std::string had = field(stored.key, name);
      if (had != value)
        throw CheckpointError("--resume: checkpoint '" + path_ + "' does not belong to this run: "
                              "for " + run + " it was written with " + name + " = " + had +
                              ", this run has " + name + " = " + value +
                              " (start afresh without --resume)");
    }
    if (stored.key.size() != key.size())
      throw CheckpointError("--resume: checkpoint '" + path_ + "' has a different key layout for " +
                            run);
    const auto extra = [&](const char* what, std::size_t have, std::size_t max) {
      if (have > max)
        throw CheckpointError("--resume: checkpoint '" + path_ + "' holds " +
                              std::to_string(have) + " " + what + " rows for " + run +
                              ", more than the " + std::to_string(max) + " this run has");
    };
    extra("jackknife", stored.jackknife.size(), max_jackknife);
    extra("resample", stored.resamples.size(), max_resamples);
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
    const nlohmann::json k = key_json(r.key);
    runs.push_back({{"key", k},
                    {"key_sha256", io::sha256_hex(k.dump())},
                    {"jackknife", rows_json(r.jackknife)},
                    {"resamples", rows_json(r.resamples)}});
  }
  nlohmann::json doc = {{"format", kFormat}, {"version", kVersion}, {"runs", runs}};
  doc["sha256"] = digest_of(doc);
  io::write_file(path_, doc.dump() + "\n", true);
}

}  // namespace shannonfit

// Every command's JSON against docs/schema/shannonfit-results.schema.json: fit, bootstrap,
// predict, compare and backtest (--out) and analyze (report.json) on the shipped Epoch AI
// Chinchilla data. The validator below covers the part of JSON Schema (2020-12) the schema file
// uses, and refuses a schema keyword it does not know, so the schema cannot silently outgrow it.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "analysis/intervals.hpp"
#include "support/cli.hpp"

using nlohmann::json;
using shannonfit::IntervalMethod;
using shannonfit::interval_methods;
using shannonfit::testing::CliRun;
using shannonfit::testing::read_file;
using shannonfit::testing::run_shannonfit;
using shannonfit::testing::TempDir;

namespace {

class Validator {
 public:
  explicit Validator(json schema) : root_(std::move(schema)) {}

  // Where `doc` breaks the schema, one line per violation (empty: valid).
  std::vector<std::string> errors(const json& doc) const {
    std::vector<std::string> out;
    check(root_, doc, "", out);
    return out;
  }

 private:
  const json& resolve(const std::string& ref) const {
    const std::string prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) != 0) throw std::runtime_error("unsupported $ref " + ref);
    return root_.at("$defs").at(ref.substr(prefix.size()));
  }

  static bool has_type(const json& v, const std::string& type) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_boolean();
    if (type == "null") return v.is_null();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    throw std::runtime_error("unknown type " + type);
  }

  bool valid(const json& schema, const json& v) const {
    std::vector<std::string> e;
    check(schema, v, "", e);
    return e.empty();
  }

  void check(const json& schema, const json& v, const std::string& at,
             std::vector<std::string>& out) const {
    static const std::set<std::string> annotations = {"$schema", "$id", "title", "description",
                                                      "$defs"};
    for (const auto& [key, rule] : schema.items()) {
      if (annotations.count(key)) continue;
      if (key == "$ref") {
        check(resolve(rule.get<std::string>()), v, at, out);
      } else if (key == "type") {
        bool ok = false;
        for (const json& t : rule.is_array() ? rule : json::array({rule}))
          ok = ok || has_type(v, t.get<std::string>());
        if (!ok) out.push_back(at + ": " + v.type_name() + " is not of type " + rule.dump());
      } else if (key == "const") {
        if (v != rule) out.push_back(at + ": " + v.dump() + " is not " + rule.dump());
      } else if (key == "enum") {
        if (std::find(rule.begin(), rule.end(), v) == rule.end())
          out.push_back(at + ": " + v.dump() + " is not one of " + rule.dump());
      } else if (key == "required") {
        if (v.is_object())
          for (const json& name : rule)
            if (!v.contains(name.get<std::string>()))
              out.push_back(at + ": missing " + name.get<std::string>());
      } else if (key == "properties") {
        if (v.is_object())
          for (const auto& [name, sub] : rule.items())
            if (v.contains(name)) check(sub, v.at(name), at + "/" + name, out);
      } else if (key == "items") {
        if (v.is_array())
          for (std::size_t i = 0; i < v.size(); ++i)
            check(rule, v[i], at + "/" + std::to_string(i), out);
      } else if (key == "minItems") {
        if (v.is_array() && v.size() < rule.get<std::size_t>())
          out.push_back(at + ": fewer than " + rule.dump() + " items");
      } else if (key == "maxItems") {
        if (v.is_array() && v.size() > rule.get<std::size_t>())
          out.push_back(at + ": more than " + rule.dump() + " items");
      } else if (key == "minimum") {
        if (v.is_number() && v.get<double>() < rule.get<double>())
          out.push_back(at + ": " + v.dump() + " is below " + rule.dump());
      } else if (key == "allOf") {
        for (const json& sub : rule) check(sub, v, at, out);
      } else if (key == "oneOf") {
        int matches = 0;
        for (const json& sub : rule) matches += valid(sub, v);
        if (matches != 1)
          out.push_back(at + ": matches " + std::to_string(matches) + " of oneOf's schemas");
      } else if (key == "if") {
        if (valid(rule, v) && schema.contains("then")) check(schema.at("then"), v, at, out);
      } else if (key != "then") {
        throw std::runtime_error("the test's validator does not know schema keyword '" + key + "'");
      }
    }
  }

  json root_;
};

const Validator& schema() {
  static const Validator v(
      json::parse(read_file(std::string(SHANNONFIT_SOURCE_DIR) +
                            "/docs/schema/shannonfit-results.schema.json")));
  return v;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

// The Epoch AI data as the README reads it; one start for the full fit keeps the run short.
std::vector<std::string> epoch(std::vector<std::string> head, std::vector<std::string> tail) {
  head.insert(head.end(), {std::string(SHANNONFIT_DATA_DIR) + "/chinchilla_svg_extracted.csv",
                           "--n-col", "Model Size", "--flops-col", "Training FLOP",
                           "--drop-highest-loss", "5", "--threads", "2", "--starts", "single",
                           "--quiet", "--force"});
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

class ResultSchema : public ::testing::Test {
 protected:
  json run(const std::vector<std::string>& args, const std::string& out) {
    const CliRun r = run_shannonfit(args, dir_);
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(dir_.read(out));
  }
  void expect_valid(const json& doc, const std::string& command) {
    EXPECT_EQ(doc.value("command", ""), command);
    EXPECT_EQ(schema().errors(doc), std::vector<std::string>{}) << joined(schema().errors(doc));
  }
  TempDir dir_;
};

TEST_F(ResultSchema, FitBootstrapAndPredict) {
  expect_valid(run(epoch({"fit"}, {"--law", "chinchilla,kaplan", "--out", "fit.json"}), "fit.json"),
               "fit");
  expect_valid(run(epoch({"bootstrap"}, {"--law", "chinchilla", "--resamples", "20", "--at",
                                         "N=70B,D=1.4T", "--budget", "1e24", "--out", "boot.json",
                                         "--params-out", "boot.csv"}),
                   "boot.json"),
               "bootstrap");
  CliRun r = run_shannonfit({"predict", "--params", "boot.csv", "--at", "N=12B,D=307B", "--out",
                             "predict.json", "--quiet"},
                            dir_);
  ASSERT_EQ(r.code, 0) << r.err;
  expect_valid(json::parse(dir_.read("predict.json")), "predict");
}

TEST_F(ResultSchema, CompareBacktestAndAnalyze) {
  expect_valid(run(epoch({"compare"}, {"--law", "chinchilla,kaplan", "--resamples", "10",
                                       "--kfold", "3", "--out", "compare.json"}),
                   "compare.json"),
               "compare");
  expect_valid(run(epoch({"backtest"}, {"--law", "chinchilla", "--resamples", "40", "--out",
                                        "backtest.json"}),
                   "backtest.json"),
               "backtest");
  const json analyzed = run(epoch({"analyze"}, {"--law", "chinchilla,kaplan", "--resamples", "20",
                                                "--kfold", "0", "--at", "N=70B,D=1.4T",
                                                "--no-figures", "--out", "report"}),
                            "report/report.json");
  expect_valid(analyzed, "analyze");

  // One model-selection shape: compare's slice and analyze's selection list the same keys for
  // each law, from the same serializer.
  const json compared = json::parse(dir_.read("compare.json"));
  const json& slice_laws = compared.at("slices").at(0).at("laws");
  const json& selection_laws = analyzed.at("selection").at("laws");
  ASSERT_EQ(slice_laws.size(), 2u);
  ASSERT_EQ(selection_laws.size(), 2u);
  for (const json& line : selection_laws) {
    const auto same_law = std::find_if(slice_laws.begin(), slice_laws.end(), [&](const json& l) {
      return l.at("law") == line.at("law");
    });
    ASSERT_NE(same_law, slice_laws.end()) << line.at("law");
    for (const auto& [key, value] : line.items())
      EXPECT_TRUE(same_law->contains(key)) << "compare's line lacks " << key;
    EXPECT_EQ(same_law->at("k"), line.at("k"));
    EXPECT_EQ(same_law->at("fit").at("statistics").at("k"), line.at("k"));
  }
}

// The validator is not vacuous: each kind of break the schema forbids is reported.
TEST(ResultSchemaValidator, RejectsDocumentsThatBreakTheSchema) {
  const json good = {{"schema", "shannonfit-results"},
                     {"schema_version", 2},
                     {"command", "predict"},
                     {"version", "0"},
                     {"level", 0.9},
                     {"interrupted", false},
                     {"results", json::array()}};
  EXPECT_TRUE(schema().errors(good).empty()) << joined(schema().errors(good));
  json wrong_version = good;
  wrong_version["schema_version"] = 0;
  EXPECT_FALSE(schema().errors(wrong_version).empty());
  json missing = good;
  missing.erase("results");
  EXPECT_FALSE(schema().errors(missing).empty());
  json bad_type = good;
  bad_type["interrupted"] = "no";
  EXPECT_FALSE(schema().errors(bad_type).empty());
  json bad_entry = good;
  bad_entry["results"] = {{{"law", "chinchilla"}, {"bootstrap", json::object()},
                           {"predictions", json::array()}}};
  EXPECT_FALSE(schema().errors(bad_entry).empty()) << "a bootstrap run without its fields";
}

}  // namespace

// The schema names every registered interval method: as a required key of an interval and, in
// the registry's order, as the values "method" may take. A method added to the registry without
// its line in the schema fails here.
TEST(ResultSchemaIntervalMethods, EveryRegisteredMethodIsInTheSchema) {
  const json schema_file = json::parse(read_file(std::string(SHANNONFIT_SOURCE_DIR) +
                                                 "/docs/schema/shannonfit-results.schema.json"));
  const json& interval = schema_file.at("$defs").at("interval");
  std::vector<std::string> names;
  for (const IntervalMethod& m : interval_methods()) {
    names.emplace_back(m.name);
    EXPECT_NE(std::find(interval.at("required").begin(), interval.at("required").end(),
                        names.back()),
              interval.at("required").end())
        << names.back();
  }
  EXPECT_EQ(interval.at("properties").at("method").at("enum").get<std::vector<std::string>>(),
            names);
}

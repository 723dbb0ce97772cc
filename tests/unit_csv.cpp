// CSV parsing and the column map: quoting, line numbers, derived D, perturbation strengths,
// --drop-highest-loss and --by.
#include <gtest/gtest.h>

#include <cmath>

#include "io/csv.hpp"
#include "shannonfit/errors.hpp"

using namespace shannonfit;
using namespace shannonfit::io;

TEST(Csv, QuotesEscapesAndLineNumbers) {
  const Table t = parse_csv(
      "\xEF\xBB\xBF" "name, \"Model Size\" ,loss\r\n"
      "\"a, b\",1e9,2.5\r\n"
      "\n"
      "\"say \"\"hi\"\"\nthere\", 2e9 ,2.4\n"
      "last,3e9,2.3",
      "t.csv");
  EXPECT_EQ(t.header, (std::vector<std::string>{"name", "Model Size", "loss"}));
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0][0], "a, b");
  EXPECT_EQ(t.rows[1][0], "say \"hi\"\nthere");
  EXPECT_EQ(t.rows[1][1], "2e9");
  EXPECT_EQ(t.line, (std::vector<long>{2, 4, 6}));
}

TEST(Csv, StructuralErrors) {
  EXPECT_THROW(parse_csv("", "t.csv"), InputError);
  EXPECT_THROW(parse_csv("a,b\n", "t.csv"), InputError);
  try {
    parse_csv("a,b\n1,\"2\n3,4\n", "t.csv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "t.csv:2: a quoted field is never closed");
  }
  try {
    parse_csv("a,b\n1,\"2\"x\n", "t.csv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "t.csv:2: unexpected text after a closing quote");
  }
}

TEST(Csv, DuplicateColumnIsRefusedOnlyWhenUsed) {
  const Table t = parse_csv("N,D,loss,x,x\n1e8,1e9,3,1,2\n", "t.csv");
  EXPECT_EQ(find_column(t, "D", "--d-col"), 1);
  EXPECT_THROW(find_column(t, "x", "--by"), InputError);
}

TEST(Csv, TokensFromCompute) {
  ColumnMap m;
  m.n = "Model Size";
  m.flops = "Training FLOP";
  const auto loaded =
      load_data(parse_csv("Model Size,Training FLOP,loss\n1e9,6e19,2.5\n", "t.csv"), m);
  ASSERT_EQ(loaded.slices.size(), 1u);
  EXPECT_DOUBLE_EQ(loaded.slices[0].data.d[0], 1e10);
  EXPECT_EQ(loaded.slices[0].data.line[0], 2);
}

TEST(Csv, PerturbationStrengths) {
  const Table t = parse_csv("N,D,loss,v\n1e8,1e9,3,4\n1e8,1e9,3,20\n", "t.csv");
  const auto x_for = [&](const char* spec) {
    ColumnMap m;
    m.perturbation = parse_perturbation(spec);
    return load_data(t, m).slices[0].data.x;
  };
  EXPECT_EQ(x_for("noise:v"), (std::vector<double>{4, 20}));
  EXPECT_EQ(x_for("sft:v"), (std::vector<double>{4, 20}));
  EXPECT_EQ(x_for("quant-bits:v"), (std::vector<double>{1.0 / 16, std::exp2(-20)}));
  const auto snr = x_for("noise-snr-db:v");
  EXPECT_NEAR(snr[0], std::pow(10, -0.2), 1e-15);
  EXPECT_NEAR(snr[1], 0.1, 1e-15);
  EXPECT_THROW(parse_perturbation("noise"), InputError);
  EXPECT_THROW(parse_perturbation("dropout:v"), InputError);
}

TEST(Csv, DropHighestLossAfterFilter) {
  ColumnMap m;
  m.filter = "N > 1";
  m.drop_highest_loss = 2;
  const auto loaded = load_data(
      parse_csv("N,D,loss\n0,1e9,9\n1e8,1e9,3\n1e8,2e9,5\n1e8,3e9,4\n1e8,4e9,2\n", "t.csv"), m);
  EXPECT_EQ(loaded.rows_read, 5);
  EXPECT_EQ(loaded.rows_filtered_out, 1);
  EXPECT_EQ(loaded.dropped_lines, (std::vector<long>{4, 5}));
  EXPECT_EQ(loaded.slices[0].data.loss, (std::vector<double>{3, 2}));
  EXPECT_EQ(loaded.slices[0].data.line, (std::vector<long>{3, 6}));
  m.drop_highest_loss = 4;
  EXPECT_THROW(load_data(parse_csv("N,D,loss\n1,1,1\n1,1,2\n", "t.csv"), m), InputError);
}

TEST(Csv, ByOrdersNumericValuesAndKeepsGroupsAndWeights) {
  ColumnMap m;
  m.by = "lr";
  m.group = "model";
  m.weight = "w";
  const auto loaded = load_data(parse_csv("N,D,loss,lr,model,w\n"
                                          "1e8,1e9,3,1e-3,small,1\n"
                                          "1e9,1e9,2,3e-4,big,2\n"
                                          "1e8,2e9,2.9,3e-4,small,3\n"
                                          "1e9,2e9,1.9,1e-3,big,4\n",
                                          "t.csv"),
                                m);
  ASSERT_EQ(loaded.slices.size(), 2u);
  EXPECT_EQ(loaded.slices[0].by_value, "3e-4");
  EXPECT_EQ(loaded.slices[1].by_value, "1e-3");
  const Dataset& d = loaded.slices[0].data;
  EXPECT_EQ(d.line, (std::vector<long>{3, 4}));
  EXPECT_EQ(d.weight, (std::vector<double>{2, 3}));
  EXPECT_EQ(d.group_names, (std::vector<std::string>{"big", "small"}));
  EXPECT_EQ(d.group, (std::vector<int>{0, 1}));
}

TEST(Csv, RequireFittableCountsRowsAndDistinctValues) {
  Dataset d;
  d.n = d.d = d.loss = {1, 2, 3};
  LawInfo info;
  info.name = "five";
  info.params.resize(5);
  EXPECT_THROW(require_fittable(d, info, {}, "t.csv"), InputError);
  info.params.resize(3);
  EXPECT_NO_THROW(require_fittable(d, info, {}, "t.csv"));
  info.min_distinct = {4, 0, 0};
  ColumnLabels columns;
  columns.n = "params";
  try {
    require_fittable(d, info, columns, "t.csv", "--filter");
    ADD_FAILURE() << "three distinct N passed a law that needs four";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "t.csv: column params has 3 distinct values; law 'five' needs at least "
                           "4 to identify its parameters (after --filter)");
  }
}

TEST(Csv, QuantitiesTakeSizeSuffixes) {
  double v = 0;
  const std::pair<const char*, double> cases[] = {
      {"12B", 12e9}, {"307b", 307e9}, {"1.4T", 1.4e12}, {"70M", 70e6}, {"125K", 125e3},
      {"5.76e23", 5.76e23}, {" 6.9G ", 6.9e9}, {"2P", 2e15}, {"1e9", 1e9}};
  for (const auto& [text, expected] : cases) {
    ASSERT_TRUE(parse_quantity(text, v)) << text;
    EXPECT_DOUBLE_EQ(v, expected) << text;
  }
  for (const char* bad : {"", "B", "12X", "1.4TB", "twelve", "12 B B"})
    EXPECT_FALSE(parse_quantity(bad, v)) << bad;
}

TEST(Csv, QuantitiesAreWrittenAsPeopleReadThemAndReadBack) {
  const std::pair<double, const char*> cases[] = {
      {1.618e10, "16.18B"}, {307e9, "307B"}, {1.4e12, "1.4T"}, {70e6, "70M"}, {125e3, "125K"},
      {999, "999"}, {5.76e23, "5.76e+23"}, {-2e9, "-2B"}};
  for (const auto& [value, expected] : cases) {
    EXPECT_EQ(format_quantity(value), expected) << value;
    double back = 0;
    ASSERT_TRUE(parse_quantity(format_quantity(value), back)) << value;
    EXPECT_NEAR(back, value, 1e-4 * std::fabs(value)) << value;
  }
  EXPECT_EQ(format_quantity(1.23456e10, 3), "12.3B");
}

TEST(Csv, UsualColumnNamesAreFoundAndWrongOnesGetASuggestion) {
  const Table t = parse_csv("model,Params,n_tokens,val_loss\nm,1e9,2e10,2.5\nm,2e9,3e10,2.4\n",
                            "runs.csv");
  const LoadedData loaded = load_data(t, ColumnMap{});
  EXPECT_EQ(loaded.columns.n, "Params");
  EXPECT_EQ(loaded.columns.d, "n_tokens");
  EXPECT_EQ(loaded.columns.loss, "val_loss");
  EXPECT_EQ(loaded.slices.at(0).data.d.at(1), 3e10);

  ColumnMap typo;
  typo.loss = "val_los";
  try {
    load_data(t, typo);
    FAIL() << "a missing column was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--loss-col: no column 'val_los'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("did you mean 'val_loss'?"), std::string::npos);
  }
  EXPECT_EQ(closest_column(t.header, "parameters"), "");
  EXPECT_EQ(closest_column(t.header, "params"), "Params");

  const Table none = parse_csv("size_x,tok,y\n1,2,3\n", "odd.csv");
  try {
    load_data(none, ColumnMap{});
    FAIL() << "no N column, yet it loaded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("odd.csv: no column for the parameter count N"),
              std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("name it with --n-col"), std::string::npos);
  }
}

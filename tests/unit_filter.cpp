// The --filter expression language: what it accepts, what it evaluates to, and that every
// error points at the offending character.
#include <gtest/gtest.h>

#include "io/filter.hpp"
#include "shannonfit/errors.hpp"

using shannonfit::InputError;
using shannonfit::io::Filter;

namespace {

const std::vector<std::string> kColumns = {"N", "D", "loss", "Model Size", "dataset"};

bool eval(const std::string& expr, std::vector<std::string> row) {
  return Filter(expr, kColumns).matches(row, "t.csv:2");
}

// The message of the InputError that parsing `expr` throws.
std::string parse_error(const std::string& expr) {
  try {
    Filter f(expr, kColumns);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

const std::vector<std::string> kRow = {"1e9", "2e10", "2.5", "1e9", "c4"};

}  // namespace

TEST(Filter, Comparisons) {
  EXPECT_TRUE(eval("N < 2e9", kRow));
  EXPECT_FALSE(eval("N < 1e9", kRow));
  EXPECT_TRUE(eval("N <= 1e9", kRow));
  EXPECT_TRUE(eval("N >= 1e9", kRow));
  EXPECT_FALSE(eval("N > 1e9", kRow));
  EXPECT_TRUE(eval("N == 1e9", kRow));
  EXPECT_TRUE(eval("N != 2e9", kRow));
  EXPECT_TRUE(eval("3 > loss", kRow));
  EXPECT_TRUE(eval("loss > -1", kRow));
}

TEST(Filter, LogicAndPrecedence) {
  EXPECT_TRUE(eval("N > 1 && D > 1", kRow));
  EXPECT_FALSE(eval("N > 1 && D < 1", kRow));
  EXPECT_TRUE(eval("N < 1 || D > 1", kRow));
  // && binds tighter than ||: false || (true && true).
  EXPECT_TRUE(eval("N < 1 || D > 1 && loss > 1", kRow));
  // Parentheses override it: (false || true) && false.
  EXPECT_FALSE(eval("(N < 1 || D > 1) && loss > 3", kRow));
  EXPECT_TRUE(eval("!(N < 1)", kRow));
  EXPECT_TRUE(eval("! ! (N > 1)", kRow));
  EXPECT_TRUE(eval("not N < 1 and (D > 1 or loss > 9)", kRow));
}

TEST(Filter, Arithmetic) {
  EXPECT_TRUE(eval("D / N >= 20", kRow));
  EXPECT_FALSE(eval("D / N > 20", kRow));
  EXPECT_TRUE(eval("6 * N * D == 1.2e20", kRow));
  EXPECT_TRUE(eval("loss - 0.5 * 2 == 1.5", kRow));  // * before -
  EXPECT_TRUE(eval("-loss < 0", kRow));
  EXPECT_TRUE(eval("(loss + 0.5) * 2 == 6", kRow));
}

TEST(Filter, QuotedColumnsAndText) {
  EXPECT_TRUE(eval("`Model Size` >= 1e9", kRow));
  EXPECT_TRUE(eval("dataset == \"c4\"", kRow));
  EXPECT_TRUE(eval("dataset != 'rpj' && N > 0", kRow));
  EXPECT_FALSE(eval("'rpj' == dataset", kRow));
}

TEST(Filter, ReportsColumnsUsed) {
  const Filter f("D > 1 && (loss < 3 || D < 9)", kColumns);
  EXPECT_EQ(f.columns_used(), (std::vector<int>{1, 2}));
}

TEST(Filter, NonNumericCellIsAnInputErrorNamingRowAndColumn) {
  try {
    eval("loss < 3", {"1", "2", "n/a", "1", "c4"});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "t.csv:2: column 'loss': 'n/a' is not a number (read by --filter)");
  }
}

TEST(Filter, ErrorsPointAtTheOffendingCharacter) {
  EXPECT_EQ(parse_error("N > 1e8 && tokens > 3"),
            "--filter: no column 'tokens' (columns: N, D, loss, Model Size, dataset) at character "
            "12:\n  N > 1e8 && tokens > 3\n             ^");
  EXPECT_EQ(parse_error("N > 1e8 &&"),
            "--filter: the expression ends too early at character 11:\n  N > 1e8 &&\n            ^");
  EXPECT_EQ(parse_error("(N > 1"),
            "--filter: this '(' is never closed at character 1:\n  (N > 1\n  ^");
  EXPECT_EQ(parse_error("N > 1)"), "--filter: unexpected ')' at character 6:\n  N > 1)\n       ^");
  EXPECT_EQ(parse_error("N + 1"),
            "--filter: the expression is not a condition (use <, <=, >, >=, ==, !=) at character "
            "1:\n  N + 1\n  ^");
  EXPECT_EQ(parse_error("N < 'x'"),
            "--filter: text can only be compared with == or != at character 3:\n  N < 'x'\n    ^");
  EXPECT_EQ(parse_error("N > 1 && 5"),
            "--filter: 'and' needs a condition at character 10:\n  N > 1 && 5\n           ^");
  EXPECT_EQ(parse_error("5 || N > 1"),
            "--filter: 'or' needs a condition at character 1:\n  5 || N > 1\n  ^");
  EXPECT_EQ(parse_error("N + (D > 1) > 2"),
            "--filter: arithmetic needs a number at character 5:\n  N + (D > 1) > 2\n      ^");
  EXPECT_EQ(parse_error("(N > 1) * 2 > 1"),
            "--filter: arithmetic needs a number at character 1:\n  (N > 1) * 2 > 1\n  ^");
  EXPECT_EQ(parse_error("N > 1e9x"),
            "--filter: unexpected text after a number at character 8:\n  N > 1e9x\n         ^");
  EXPECT_EQ(parse_error("dataset == \"c4"),
            "--filter: unterminated \" at character 12:\n  dataset == \"c4\n             ^");
  EXPECT_EQ(parse_error("N # 3"), "--filter: unexpected '#' at character 3:\n  N # 3\n    ^");
  EXPECT_EQ(parse_error("   "), "--filter: the expression is empty at character 1:\n     \n  ^");
}

TEST(Filter, OptionNameAppearsInMessages) {
  try {
    Filter f("N >", kColumns, "--holdout");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--holdout: ", 0), 0u) << e.what();
  }
}

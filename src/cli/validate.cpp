#include "cli/validate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "io/input.hpp"
#include "io/text_table.hpp"

namespace shannonfit::cli {

namespace {

// A whole decimal number without sign or exponent that fits in `max`.
bool whole_number(const std::string& text, unsigned long long max, unsigned long long& value) {
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  errno = 0;
  value = std::strtoull(text.c_str(), nullptr, 10);
  return errno == 0 && value <= max;
}

}  // namespace

CLI::Validator count_check(long min, long max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        const bool negative = !text.empty() && text[0] == '-';
        unsigned long long v = 0;
        if (!negative && whole_number(text, static_cast<unsigned long long>(max), v) &&
            static_cast<long>(v) >= min)
          return "";
        return "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
               " (got '" + text + "')";
      },
      "INT in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
}

CLI::Validator thread_count_check() { return count_check(0, kMaxThreads); }

CLI::Validator kfold_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        unsigned long long v = 0;
        if (whole_number(text, 1'000'000, v) && v != 1) return "";
        return "must be 0 (no cross-validation) or a number of folds of at least 2 (got '" + text +
               "')";
      },
      "0|K>=2");
}

CLI::Validator seed_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        unsigned long long v = 0;
        if (whole_number(text, ~0ull, v)) return "";
        return "must be a whole number from 0 to 18446744073709551615, written in decimal (got '" +
               text + "')";
      },
      "UINT64");
}

CLI::Validator positive_finite_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(v) && v > 0)
          return "";
        return "must be a positive finite number (got '" + text + "')";
      },
      "NUMBER > 0");
}

void add_input_limit_option(CLI::App& cmd) {
  cmd.add_option_function<std::string>(
         "--max-input-size",
         [](const std::string& text) {
           std::uint64_t bytes = 0;
           io::parse_size(text, bytes);
           io::set_input_limit(bytes);
         },
         "largest input file read, in bytes or with K, M, G, T (powers of 1024) [default: " +
             io::format_size(io::kDefaultInputLimit) + "]")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            std::uint64_t bytes = 0;
            return io::parse_size(text, bytes) ? ""
                                               : "use a size such as 512M, 4G or 1048576 bytes";
          },
          "SIZE"))
      ->group("Data");
}

std::vector<std::string> outside_domain(const Dataset& data, const PredictionPoint& point,
                                        const std::string& label, const PointKeys& keys) {
  std::vector<std::string> out;
  if (data.size() == 0) return out;
  for (char place : keys.order) {
    const std::vector<double>& column = values_at(data, place);
    if (column.empty() || !(keys.needed(place) || place == 'x')) continue;
    const std::string& name = keys.name(place);
    const double value = value_at(point, place);
    const auto [lo, hi] = std::minmax_element(column.begin(), column.end());
    const std::string range =
        "[" + io::format_number(*lo, 3) + ", " + io::format_number(*hi, 3) + "]";
    // Sizes and other positive scales are extrapolated by design, so only a factor far beyond
    // the data is remarked on; a perturbation strength or a column of any sign, once outside.
    const bool scale = place != 'x' || (keys.own_columns() && *lo > 0);
    if (scale && (value > *hi * kFarOutside || value < *lo / kFarOutside))
      out.push_back(label + ": " + name + " = " + io::format_number(value, 4) + " is more than " +
                    io::format_number(kFarOutside, 4) + " times outside the data's range " + range +
                    "; the interval describes the law there, not the data");
    if (!scale && (value < *lo || value > *hi))
      out.push_back(label + ": " + name + " = " + io::format_number(value, 4) +
                    " is outside the data's range of " + name + " " + range + "; the law's " +
                    name + "-dependence is extrapolated there");
  }
  return out;
}

}  // namespace shannonfit::cli

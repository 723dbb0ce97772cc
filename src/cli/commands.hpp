#pragma once
// Each subcommand lives in its own cmd_<name>.cpp and registers itself on the app here.
#include <CLI/CLI.hpp>

namespace shannonfit::cli {

void register_fit(CLI::App& app);
void register_analyze(CLI::App& app);
void register_compare(CLI::App& app);
void register_bootstrap(CLI::App& app);
void register_predict(CLI::App& app);
void register_backtest(CLI::App& app);

}  // namespace shannonfit::cli

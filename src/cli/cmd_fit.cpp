#include "cli/commands.hpp"

namespace shannonfit::cli {

void register_fit(CLI::App& app) {
  app.add_subcommand("fit", "Fit one or more laws with their multi-start grid");
}

}  // namespace shannonfit::cli

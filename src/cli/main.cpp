#include <cstdio>
#include <exception>

#include <string>

#include "analysis/checkpoint.hpp"
#include "cli/commands.hpp"
#include "io/output.hpp"
#include "mpi/world.hpp"
#include "shannonfit/errors.hpp"

namespace {
// Beside shannonfit::ExitCode (errors.hpp); kept here so that adding them rebuilds only the CLI.
constexpr int kExitOutputRefused = 6;  // io::OutputError: an output refused or unwritable
constexpr int kExitCheckpoint = 7;     // CheckpointError: a checkpoint that cannot be resumed
}  // namespace

int main(int argc, char** argv) {
  using namespace shannonfit;
  const dist::World world(&argc, &argv);
  if (dist::size() > 1) {
    if (argc < 2 || std::string(argv[1]) != "bootstrap") {
      std::fprintf(stderr, "error: under mpirun only `shannonfit bootstrap` runs distributed\n");
      return kExitUsage;
    }
    // Rank 0 prints and writes what a single process would; the other ranks only compute.
    if (!dist::is_root() && !std::freopen("/dev/null", "w", stdout)) return kExitInternal;
  }
  CLI::App app{"shannonfit: batched scaling-law fitting with honest uncertainty"};
  app.set_version_flag("--version", SHANNONFIT_VERSION);
  app.require_subcommand(1);
  cli::register_fit(app);
  cli::register_analyze(app);
  cli::register_compare(app);
  cli::register_bootstrap(app);
  cli::register_predict(app);
  cli::register_backtest(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  } catch (const InputError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitInput;
  } catch (const FitError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitFit;
  } catch (const OutputExistsError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitOutputExists;
  } catch (const io::OutputError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitOutputRefused;
  } catch (const CheckpointError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitCheckpoint;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "error: out of memory: the data, or the resamples, --chunk or points "
                         "asked for, do not fit in this machine's memory\n");
    return kExitInput;
  } catch (const InterruptedError& e) {
    std::fprintf(stderr, "interrupted: %s\n", e.what());
    return kExitInterrupted;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return kExitInternal;
  }
  return kExitOk;
}

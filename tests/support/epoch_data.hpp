#pragma once
// The real data set the Epoch AI protocol tests and the benchmarks share: Hoffmann et al.'s
// Figure 4 points as Epoch AI extracted them (data/chinchilla_svg_extracted.csv), read through the
// CLI's own loader and options (--n-col "Model Size" --flops-col "Training FLOP" --loss-col loss
// --drop-highest-loss 5): D = C / (6 N), the 5 highest-loss rows dropped, leaving 240.
#include <string>

#include "io/csv.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit::testing {

inline Dataset load_epoch_chinchilla(const std::string& path) {
  io::ColumnMap map;
  map.n = "Model Size";
  map.flops = "Training FLOP";
  map.loss = "loss";
  map.drop_highest_loss = 5;
  return io::load_data(path, map).slices.at(0).data;
}

}  // namespace shannonfit::testing

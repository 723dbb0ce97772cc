#pragma once
// The project's device headers as text, generated at build time (cmake/embed_files.cmake), for
// NVRTC: a formula law's kernel is compiled against the same solver the built-in kernels use.
namespace shannonfit::formula {

struct EmbeddedFile {
  const char* name;  // as included, e.g. "shannonfit/lm.hpp"
  const char* text;
};
extern const EmbeddedFile kEmbeddedHeaders[];
extern const int kEmbeddedHeaderCount;

}  // namespace shannonfit::formula

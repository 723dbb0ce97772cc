#pragma once
// Writing result files without ever clobbering the user's files or leaving half-written ones.
#include <string>

namespace shannonfit::io {

// Throws OutputExistsError when `path` exists and `force` is false. Commands call it before any
// long computation so that a refused output costs the user nothing.
void check_writable(const std::string& path, bool force);

// Writes `content` to `path` atomically: a temporary file in the same directory, then a rename
// (with `force`) or a hard link that fails when `path` exists (without). On any error nothing is
// left at `path` and the temporary file is removed. Throws OutputExistsError or InputError (a
// directory that does not exist, no permission).
void write_file(const std::string& path, const std::string& content, bool force);

}  // namespace shannonfit::io

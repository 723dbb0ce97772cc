#pragma once
// Writing results without ever destroying a file the user owns or leaving a half-written one.
//
// Every command declares what it reads and writes in one OutputPlan before any computation, so
// that a refused output costs nothing; files are then written to a temporary name in their
// folder, synced and renamed, and a report folder is built complete beside its target and swapped
// in at the end (StagedFolder).
#include <sys/types.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace shannonfit::io {

// An output that must not or cannot be written: not a regular file (a device, FIFO, socket,
// folder or symbolic link), the same file as an input or another output, a folder that does not
// exist or is not writable, a folder --force would have to replace that is not an earlier report,
// a failed write (a full disk). The CLI exits with code 6; nothing was written or replaced.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Says why `dir` is not something --force may replace, or "" when it may (e.g. an earlier report).
using ReplaceCheck = std::function<std::string(const std::string& dir)>;

class OutputPlan {
 public:
  // `force`: existing outputs may be replaced (never a non-regular file, never an input).
  explicit OutputPlan(bool force) : force_(force) {}

  // A file the command reads; `option` names it in messages ("DATA", "--params"). No output may
  // be this file or, for a report folder, contain it. "" and "-" (standard input) are skipped.
  void input(const std::string& path, const std::string& option);

  // A file the command writes. Throws OutputExistsError when it exists and neither --force nor
  // `replace_own` (a checkpoint resumed in place) allows replacing it; OutputError for the rest
  // of the classes above. "-" is standard output where `stdout_ok`, at most one output at a time.
  void file(const std::string& path, const std::string& option, bool stdout_ok = true,
            bool replace_own = false);

  // A folder the command builds (StagedFolder). An empty or missing one is fine (missing parents
  // are created when it is written); a non-empty one needs --force and must pass `replaceable`.
  void folder(const std::string& path, const std::string& option, const ReplaceCheck& replaceable);

 private:
  // Where a path is: the (device, inode) of its nearest existing ancestor (itself when it exists)
  // and the part of the path below that ancestor ("" when it exists).
  struct Identity {
    dev_t dev = 0;
    ino_t ino = 0;
    std::string rest;
    bool operator==(const Identity& o) const {
      return dev == o.dev && ino == o.ino && rest == o.rest;
    }
  };
  struct Entry {
    Identity id;
    std::vector<Identity> ancestors;  // of the path's folder, innermost first
    std::string path, option;
    bool output = false, is_folder = false;
  };
  static Entry make_entry(const std::string& path, const std::string& option, bool output,
                          bool folder);
  void add(Entry entry);

  bool force_;
  std::vector<Entry> entries_;
  std::string stdout_option_;  // the output that is "-", if any
};

// Writes `content` to `path` ("-": standard output) atomically: a temporary file in the same
// folder, written, synced, then renamed over `path` (with `force`) or hard-linked to it, which
// fails if `path` appeared meanwhile (without). A non-regular file at `path` is never replaced.
// On any error the temporary file is removed and nothing is left at `path`. Throws
// OutputExistsError or OutputError.
void write_file(const std::string& path, const std::string& content, bool force);

// A folder built under a temporary name beside `target` and put in place by commit(), so that
// neither an interruption nor a failed write leaves a folder at `target` that looks complete, and
// an earlier folder there stays whole until the new one has replaced it.
class StagedFolder {
 public:
  // Creates `target`'s missing parent folders and an empty hidden folder beside `target`.
  explicit StagedFolder(std::string target);
  // Removes the staged folder unless it was committed.
  ~StagedFolder();
  StagedFolder(const StagedFolder&) = delete;
  StagedFolder& operator=(const StagedFolder&) = delete;

  // Where to write the folder's files until commit().
  const std::string& path() const { return staged_; }

  // Puts the staged folder at `target`: renamed there when `target` is absent, its files moved
  // in (report.json last) when `target` is an empty folder. An earlier non-empty folder is
  // checked again with `replaceable` (it may have changed during the run), exchanged atomically
  // with the new one, and only then removed, without following any symbolic link inside it. When
  // the earlier folder no longer passes, it is left alone and the new one stays at path()
  // (OutputError).
  void commit(const ReplaceCheck& replaceable);

 private:
  std::string target_, staged_;
  bool keep_ = false;
};

// Removes `path` and, when it is a folder, everything inside it; symbolic links are removed
// themselves, never followed. Errors are ignored (what is left is left).
void remove_tree(const std::string& path);

}  // namespace shannonfit::io

#pragma once
// Reading the files a command is given: bounded in size, interruptible while it waits (a FIFO or
// pipe that never closes), and "-" for standard input.
#include <atomic>
#include <cstdint>
#include <string>

namespace shannonfit::io {

// The largest input a command reads, in bytes (--max-input-size); the default keeps a stray
// multi-gigabyte file from exhausting memory while it is parsed.
constexpr std::uint64_t kDefaultInputLimit = 256ull << 20;
void set_input_limit(std::uint64_t bytes);
std::uint64_t input_limit();

// "256M", "2G", "1048576" (bytes; K, M, G and T are powers of 1024). Returns false when `text`
// is not such a size or is 0.
bool parse_size(const std::string& text, std::uint64_t& bytes);
// "256 MiB", "1.5 GiB", "812 bytes".
std::string format_size(std::uint64_t bytes);

// While set, a read that waits (open of a FIFO, read of a pipe) and is interrupted by a signal
// checks this flag and throws InterruptedError when it is true. The CLI points it at its
// Ctrl-C/SIGTERM flag; its handlers are installed without SA_RESTART so that the wait ends.
void set_read_cancel(const std::atomic<bool>* flag);

// The whole of `path` ("-": standard input, read once and kept, so later reads of "-" see the
// same bytes). `what` names the file in messages (e.g. "--checkpoint"; "" for the name alone).
// Throws InputError for a folder, a block device, a missing or unreadable file, or one larger than
// input_limit(); InterruptedError when interrupted while waiting.
std::string read_input(const std::string& path, const std::string& what);

// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(const std::string& bytes);

}  // namespace shannonfit::io

// Writing a file so that readers only ever see the old complete file or the new complete one:
// bytes go to a temporary file in the destination's directory, which is flushed to disk and then
// renamed over the destination. Any failure (full disk, missing or read-only directory) throws
// Error naming the path and the reason, removes the temporary file and leaves the destination as
// it was. Destinations that exist and are not regular files (/dev/full, a directory, a FIFO) are
// refused, since a rename would replace them.
//
// The temporary file is .<name>.tmp-XXXXXX beside the destination, locked (flock) by its writer
// until the rename. A writer killed outright (SIGKILL, power loss) leaves its temporary behind;
// the next AtomicFile for the same destination removes every such temporary no live writer holds.
//
// Thread safety: one AtomicFile per thread; distinct destinations may be written concurrently.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string_view>

namespace bloomnet {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path destination);
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }
  // Flushes, syncs and renames over the destination.
  void commit();

 private:
  [[noreturn]] void fail(const std::string& what);

  std::filesystem::path destination_;
  std::filesystem::path temporary_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

// Throws the Error a later write to path would throw (missing or read-only directory, a
// destination that is not a regular file), without touching the destination: checked before a
// long computation whose result would otherwise be lost.
void require_writable(const std::filesystem::path& path);

// Writes text to path atomically.
void write_text_atomically(const std::filesystem::path& path, std::string_view text);

// Creates the directory (and its parents) and checks that files can be written in it; Error
// naming the directory and the reason otherwise.
void prepare_output_dir(const std::filesystem::path& dir);

}  // namespace bloomnet

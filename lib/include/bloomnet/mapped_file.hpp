// A whole file mapped read-only into memory (mmap): its bytes come from the page cache, or the
// disk, only when touched, so opening costs the same for a kilobyte and for a gigabyte. What
// opening a large filter without copying it rests on (filter_files.hpp).
//
// The file must not shrink while mapped: a truncation by another process would fault a reader
// touching the lost pages (SIGBUS), as with any mapping. bloomnet's own writers never shrink a
// file in place: they replace it by rename (atomic_file.hpp), which leaves a mapping of the old
// file intact.
//
// Thread safety: immutable once made; bytes() may be read from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace bloomnet {

class MappedFile {
 public:
  // Throws FileError when the file is missing, not a regular file, or cannot be mapped; `what`
  // names the kind of file in messages ("filter file").
  MappedFile(const std::filesystem::path& path, const std::string& what);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // The file's bytes; moving the MappedFile leaves them where they are.
  std::span<const uint8_t> bytes() const { return {static_cast<const uint8_t*>(address_), size_}; }

 private:
  void* address_ = nullptr;  // null for an empty file (nothing to map)
  size_t size_ = 0;
};

}  // namespace bloomnet

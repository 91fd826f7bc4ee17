// Scratch space for tests that write files: a fresh directory per test, and a tiny tmpfs inside it
// to simulate a full disk or a read-only directory (mounting needs root, as CI has; tests skip
// without it).
#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace bloomnet::scratch {

namespace fs = std::filesystem;

// A new empty directory under the system's temporary directory, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter = 0;
    path_ = fs::temp_directory_path() /
            ("bloomnet-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A 64 KiB tmpfs mounted at dir/name while the object lives.
class TinyTmpfs {
 public:
  TinyTmpfs(const fs::path& dir, const std::string& name) : path_(dir / name) {
    fs::create_directories(path_);
    mounted_ = mount("tmpfs", path_.c_str(), "tmpfs", 0, "size=64k") == 0;
  }
  ~TinyTmpfs() {
    if (mounted_) umount(path_.c_str());
  }
  TinyTmpfs(const TinyTmpfs&) = delete;
  TinyTmpfs& operator=(const TinyTmpfs&) = delete;

  bool mounted() const { return mounted_; }
  const fs::path& path() const { return path_; }
  bool make_read_only() {
    return mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, "size=64k") == 0;
  }

 private:
  fs::path path_;
  bool mounted_;
};

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// How many of AtomicFile's temporaries of destination (.<name>.tmp-*) lie beside it.
inline size_t temporaries_of(const fs::path& destination) {
  const std::string prefix = "." + destination.filename().string() + ".tmp-";
  size_t count = 0;
  for (const auto& entry : fs::directory_iterator(destination.parent_path())) {
    count += entry.path().filename().string().rfind(prefix, 0) == 0;
  }
  return count;
}

}  // namespace bloomnet::scratch

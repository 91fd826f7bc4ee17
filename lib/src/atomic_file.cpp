#include "bloomnet/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bloomnet/error.hpp"

namespace bloomnet {

AtomicFile::AtomicFile(std::filesystem::path destination) : destination_(std::move(destination)) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(destination_, ec);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    throw Error("refusing to write '" + destination_.string() +
                "': it exists and is not a regular file");
  }
  const fs::path directory =
      destination_.has_parent_path() ? destination_.parent_path() : fs::path(".");
  std::string name = destination_.filename().string();
  name.insert(0, 1, '.');
  name.append(".tmp-XXXXXX");
  std::string pattern = directory / name;
  const int fd = mkstemp(pattern.data());
  if (fd < 0) {
    throw Error("cannot write '" + destination_.string() + "': " + std::strerror(errno));
  }
  temporary_ = pattern;
  fchmod(fd, 0644);  // mkstemp's 0600 would hide results from other users
  file_ = fdopen(fd, "wb");
  if (file_ == nullptr) {
    const int err = errno;
    close(fd);
    unlink(temporary_.c_str());
    throw Error("cannot write '" + destination_.string() + "': " + std::strerror(err));
  }
}

AtomicFile::~AtomicFile() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) unlink(temporary_.c_str());
}

void AtomicFile::fail(const std::string& what) {
  const int err = errno;
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  unlink(temporary_.c_str());
  committed_ = true;  // nothing left to clean up
  throw Error("cannot write '" + destination_.string() + "': " + what + ": " + std::strerror(err));
}

void AtomicFile::write(const void* data, size_t size) {
  if (size != 0 && std::fwrite(data, 1, size, file_) != size) fail("write failed");
}

void AtomicFile::commit() {
  if (std::fflush(file_) != 0) fail("write failed");
  if (fsync(fileno(file_)) != 0) fail("sync failed");
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0) fail("close failed");
  if (std::rename(temporary_.c_str(), destination_.c_str()) != 0) fail("rename failed");
  committed_ = true;
}

void require_writable(const std::filesystem::path& path) { AtomicFile probe(path); }

void write_text_atomically(const std::filesystem::path& path, std::string_view text) {
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

}  // namespace bloomnet

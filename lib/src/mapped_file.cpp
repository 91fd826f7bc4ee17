#include "bloomnet/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "bloomnet/error.hpp"

namespace bloomnet {

MappedFile::MappedFile(const std::filesystem::path& path, const std::string& what) {
  const std::string name = path.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  require_file(fd >= 0, "cannot open " + what + " '" + name + "': " + std::strerror(errno));
  struct stat status {};
  if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    const bool regular = S_ISREG(status.st_mode);
    close(fd);
    throw FileError(what + " '" + name + "' " +
                    (regular ? "cannot be read" : "is not a regular file"));
  }
  size_ = static_cast<size_t>(status.st_size);
  if (size_ != 0) {
    address_ = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (address_ == MAP_FAILED) {
      const int err = errno;
      address_ = nullptr;
      close(fd);
      throw FileError("cannot map " + what + " '" + name + "': " + std::strerror(err));
    }
  }
  close(fd);  // the mapping keeps the file open
}

MappedFile::~MappedFile() {
  if (address_ != nullptr) munmap(address_, size_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : address_(std::exchange(other.address_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (address_ != nullptr) munmap(address_, size_);
    address_ = std::exchange(other.address_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

}  // namespace bloomnet

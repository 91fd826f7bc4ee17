#include "bloomnet/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bloomnet/error.hpp"

namespace bloomnet {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTemporaryInfix = ".tmp-";
constexpr size_t kUniqueLength = 6;  // mkstemp's XXXXXX

// Whether the name still leads to the file open as fd (a cleaner may have removed it).
bool names_open_file(const std::string& name, int fd) {
  struct stat named {};
  struct stat opened {};
  return lstat(name.c_str(), &named) == 0 && fstat(fd, &opened) == 0 &&
         named.st_dev == opened.st_dev && named.st_ino == opened.st_ino;
}

// A writer holds an exclusive flock on its temporary file until the rename; the kernel drops it
// when the writer dies, even by SIGKILL. So a temporary of this destination that can be locked
// is a dead writer's leftover, removed here; a live writer's stays. Best effort: a temporary that
// cannot be opened or removed stays where it is.
void remove_abandoned_temporaries(const fs::path& directory, const std::string& prefix) {
  std::error_code ec;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() != prefix.size() + kUniqueLength || name.rfind(prefix, 0) != 0) continue;
    const std::string path = it->path().string();
    const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat opened {};
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &opened) == 0 && S_ISREG(opened.st_mode) &&
        names_open_file(path, fd)) {
      unlink(path.c_str());
    }
    close(fd);
  }
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path destination) : destination_(std::move(destination)) {
  std::error_code ec;
  const auto status = fs::status(destination_, ec);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    throw FileError("refusing to write '" + destination_.string() +
                    "': it exists and is not a regular file");
  }
  const fs::path directory =
      destination_.has_parent_path() ? destination_.parent_path() : fs::path(".");
  // Built in place: GCC 12 warns falsely (-Wrestrict) on "." + std::string.
  std::string prefix = destination_.filename().string();
  prefix.insert(0, 1, '.');
  prefix.append(kTemporaryInfix);
  remove_abandoned_temporaries(directory, prefix);
  int fd = -1;
  // Locked before anything is written. A cleaner that removed the new file between its creation
  // and the lock leaves this writer to try another name; where locks are not supported (some
  // network file systems) no cleaner can lock it either.
  for (;;) {
    std::string pattern = directory / (prefix + std::string(kUniqueLength, 'X'));
    fd = mkstemp(pattern.data());
    if (fd < 0) {
      throw FileError("cannot write '" + destination_.string() + "': " + std::strerror(errno));
    }
    if (flock(fd, LOCK_EX) != 0 || names_open_file(pattern, fd)) {
      temporary_ = pattern;
      break;
    }
    close(fd);
  }
  fchmod(fd, 0644);  // mkstemp's 0600 would hide results from other users
  file_ = fdopen(fd, "wb");
  if (file_ == nullptr) {
    const int err = errno;
    close(fd);
    unlink(temporary_.c_str());
    throw FileError("cannot write '" + destination_.string() + "': " + std::strerror(err));
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
  throw FileError("cannot write '" + destination_.string() + "': " + what + ": " +
                  std::strerror(err));
}

void AtomicFile::write(const void* data, size_t size) {
  if (size != 0 && std::fwrite(data, 1, size, file_) != size) fail("write failed");
}

void AtomicFile::commit() {
  if (std::fflush(file_) != 0) fail("write failed");
  if (fsync(fileno(file_)) != 0) fail("sync failed");
  // Renamed while still open and locked: once closed, a cleaner could take it for abandoned.
  if (std::rename(temporary_.c_str(), destination_.c_str()) != 0) fail("rename failed");
  committed_ = true;
  // Synced and in place: an error closing the descriptor now would lose nothing.
  std::fclose(file_);
  file_ = nullptr;
}

void require_writable(const std::filesystem::path& path) { AtomicFile probe(path); }

void write_text_atomically(const std::filesystem::path& path, std::string_view text) {
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

void prepare_output_dir(const std::filesystem::path& dir) {
  const std::string name = dir.string();
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  require_file(!error, "cannot create directory '" + name + "': " + error.message());
  require_file(std::filesystem::is_directory(dir), "'" + name + "' is not a directory");
  require_writable(dir / ".bloomnet-write-check");
}

}  // namespace bloomnet

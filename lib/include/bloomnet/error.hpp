// The one error type of bloomnet: a message meant for a person, one line, saying what is wrong
// and with which value. The CLI prints it on stderr and exits with code 2. FileError, its one
// refinement, marks a file that cannot be opened, read or written (missing, not a regular file,
// a full disk, a read-only directory), as opposed to bad arguments or data (a corrupt file's
// content is an Error): the Python module raises OSError for the one and ValueError for the other.
//
// Thread safety: an ordinary exception type; require() has no state.
#pragma once

#include <stdexcept>
#include <string>

namespace bloomnet {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

class FileError : public Error {
 public:
  explicit FileError(const std::string& message) : Error(message) {}
};

// Throws Error(message) unless condition holds. The message is built before the test: for checks
// outside hot loops (those test first, as require_in_vocabulary does).
inline void require(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}
inline void require_file(bool condition, const std::string& message) {
  if (!condition) throw FileError(message);
}

}  // namespace bloomnet

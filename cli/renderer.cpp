#include "renderer.hpp"

#include <cstdlib>
#include <system_error>

#include "bloomnet/error.hpp"

#ifndef BLOOMNET_PYTHON
#error "BLOOMNET_PYTHON must name the Python interpreter with matplotlib"
#endif

namespace bloomnet::cli {

std::filesystem::path installed_renderer() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  require(!error, "cannot locate this program (/proc/self/exe): " + error.message() +
                      "; give the renderer with --render");
  return self.parent_path().parent_path() / "share" / "bloomnet" / "render.py";
}

std::string python_interpreter() {
  const char* python = std::getenv("BLOOMNET_PYTHON");
  return python != nullptr && *python != '\0' ? python : BLOOMNET_PYTHON;
}

}  // namespace bloomnet::cli

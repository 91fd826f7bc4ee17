// Where the report's renderer and its Python are. The renderer (reports/render.py) is installed
// as <prefix>/share/bloomnet/render.py beside <prefix>/bin/bloomnet, and the build tree mirrors
// that layout (<build>/share/bloomnet/render.py beside <build>/cli/bloomnet), so the program
// finds it relative to itself wherever it was built, installed or copied to; no path of the
// checkout is baked in.
#pragma once

#include <filesystem>
#include <string>

namespace bloomnet::cli {

// <directory of this executable>/../share/bloomnet/render.py (it may not exist).
std::filesystem::path installed_renderer();

// $BLOOMNET_PYTHON when set, else the Python with matplotlib the build found (BLOOMNET_PYTHON,
// /usr/bin/python3 by default).
std::string python_interpreter();

}  // namespace bloomnet::cli

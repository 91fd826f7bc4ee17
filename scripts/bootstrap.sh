#!/usr/bin/env bash
# Installs exactly the Debian packages bloomnet needs and this machine lacks; a no-op when all are
# present, so scripts/run.sh and scripts/test.sh call it every time.
#   scripts/bootstrap.sh            build, test and report dependencies
#   scripts/bootstrap.sh --torch    also the PyTorch peer for the benchmarks (python3-torch + OpenBLAS)
#   scripts/bootstrap.sh --fuzz     also clang and its runtimes for libFuzzer
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libxsimd-dev librapidcheck-dev libbenchmark-dev libgtest-dev googletest
  libcli11-dev nlohmann-json3-dev libbloom-dev
  python3 python3-matplotlib python3-numpy clang-tidy
  pybind11-dev python3-dev python3-pytest python3-hypothesis
  qemu-user
)
for arg in "$@"; do
  case "$arg" in
    --torch) packages+=(python3-torch libopenblas0-pthread) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev libomp-14-dev) ;;
    *) echo "bootstrap.sh: unknown option '$arg' (known: --torch, --fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "bootstrap: installing ${missing[*]}" >&2
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

"""The PyTorch peer runs the OpenBLAS kernels it chose (train_step_torch.choose_openblas_kernels):
the widest the CPU's flags allow, set before torch loads OpenBLAS. Run by CTest
(bench.peer_runs_the_widest_openblas_kernels) with pytest."""
import importlib.util
import os
import sys

import pytest

# Not importorskip: importing torch here would load OpenBLAS before the peer chose its kernels.
if importlib.util.find_spec("torch") is None:  # scripts/test.sh installs it
    pytest.skip("PyTorch is not installed: scripts/bootstrap.sh --torch", allow_module_level=True)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_step_torch  # noqa: E402  (the peer, beside this file)

AVX512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]


def test_the_widest_kernels_the_flags_allow():
    widest = train_step_torch.widest_kernels
    # This project's Intel Xeon (family 6, model 207) has no bfloat16; the AMD EPYC before it had.
    assert widest(["sse2", "avx2", "fma", *AVX512, "avx512_vnni"]) == "SkylakeX"
    assert widest(["avx2", "fma", *AVX512, "avx512_bf16"]) == "Cooperlake"
    assert widest(["avx2", "fma", "avx512f"]) == "Haswell"  # AVX-512 without BW, VL: not SkylakeX
    assert widest(["avx2", "fma"]) == "Haswell"
    assert widest(["sse2", "avx"]) is None


def test_openblas_runs_the_kernels_chosen_before_it_loaded():
    chosen = train_step_torch.CHOSEN_CORETYPE
    if chosen is None:
        pytest.skip("no OpenBLAS kernels fit this CPU's flags: OpenBLAS picks alone")
    core = train_step_torch.openblas().openblas_get_corename().decode()
    assert core.lower() == chosen.lower(), (core, chosen)
    assert os.environ["OPENBLAS_CORETYPE"] == chosen

"""Every bad input is a clean Python exception with bloomnet's one-line message: TypeError for
the wrong kind of argument, ValueError for bad values or data, OSError for files; never a crash,
and never a silent conversion that changes the result."""
import os

import numpy as np
import pytest

import bloomnet
from conftest import write_torch_style


def one_line(error):
    message = str(error.value)
    assert message and "\n" not in message, message
    return message


@pytest.mark.parametrize("keys", [np.array([1.0, 2.0]), np.array([True, False]),
                                  np.array(["a", "b"]), [0.5]])
def test_keys_that_are_not_integers_are_type_errors(keys):
    f = bloomnet.SplitBlockFilter(blocks=4)
    for call in (f.insert, f.contains):
        with pytest.raises(TypeError) as error:
            call(keys)
        assert "integer array" in one_line(error)


def test_keys_of_the_wrong_shape_or_layout_are_value_errors():
    f = bloomnet.SplitBlockFilter(blocks=4)
    with pytest.raises(ValueError, match="one-dimensional"):
        f.contains(np.zeros((2, 2), dtype=np.uint64))
    with pytest.raises(ValueError, match="contiguous"):
        f.contains(np.arange(10, dtype=np.uint64)[::2])
    with pytest.raises(ValueError, match="64 bits"):
        (2**64) in f
    with pytest.raises(ValueError, match="byte order"):
        f.contains(np.arange(4, dtype=">u8"))
    unaligned = np.frombuffer(bytes(8 * 11), dtype=np.uint64, count=10, offset=1)
    assert not unaligned.flags.aligned
    with pytest.raises(ValueError, match="aligned"):
        f.insert(unaligned)


@pytest.mark.parametrize("arguments, message", [
    (dict(blocks=0), r"between 1 and 2\^32"),
    (dict(n=100), "exactly one of"),
    (dict(n=100, bits_per_key=10, fpr=0.1), "exactly one of"),
    (dict(n=100, fpr=1.5), r"\(0, 1\)"),
    (dict(n=100, bits_per_key=float("nan")), "positive"),
    (dict(n=-5, bits_per_key=10), "must not be negative"),
    (dict(blocks=4, n=3), "blocks alone"),
])
def test_impossible_filter_sizes_are_value_errors(arguments, message):
    with pytest.raises(ValueError, match=message) as error:
        bloomnet.SplitBlockFilter(**arguments)
    one_line(error)


def test_counts_of_the_wrong_type_are_type_errors():
    with pytest.raises(TypeError, match="integer"):
        bloomnet.SplitBlockFilter(blocks=4.0)
    with pytest.raises(TypeError, match="integer"):
        bloomnet.construct(V=True, m=4, h=2)


@pytest.mark.parametrize("arguments, message", [
    (dict(V=10, m=4, h=5), "h <= m"),
    (dict(V=0, m=4, h=2), "V = 0"),
    (dict(V=10, m=4, h=2, form="sideways"), "form"),
    (dict(V=10, m=4, h=2, beta=float("nan")), "beta"),
])
def test_impossible_networks_are_value_errors(arguments, message):
    with pytest.raises(ValueError, match=message) as error:
        bloomnet.construct(**arguments)
    one_line(error)


def test_tokens_outside_the_vocabulary_or_repeated_are_value_errors():
    net = bloomnet.construct(V=10, m=8, h=2)
    with pytest.raises(ValueError, match=r"token 10 is outside the vocabulary \[0, 10\)"):
        net.forward([[1, 10]])
    with pytest.raises(ValueError, match="token -1 is outside"):
        net.positives(np.array([-1], dtype=np.int8))
    with pytest.raises(ValueError, match="appears twice"):
        net.forward([[3, 3]])
    f = bloomnet.BloomFilter(V=10, m=8, h=2)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        f.insert([11])
    with pytest.raises(ValueError, match="outside the vocabulary"):
        11 in f


def test_k_above_v_is_a_value_error():
    net = bloomnet.construct(V=10, m=8, h=2)
    with pytest.raises(ValueError) as error:
        net.evaluate(k=11)
    assert "k" in one_line(error)
    with pytest.raises(ValueError):
        bloomnet.train(V=10, k=11, d=4, steps=1, progress=False)


def test_weights_of_the_wrong_dtype_or_shape():
    W = np.zeros((5, 3), np.float32)
    b_in, b_out = np.zeros(3, np.float32), np.zeros(5, np.float32)
    with pytest.raises(TypeError, match="float32"):
        bloomnet.Network.from_numpy(W.astype(np.float64), b_in, W, b_out)
    with pytest.raises(TypeError, match="numpy array"):
        bloomnet.Network.from_numpy(W.tolist(), b_in, W, b_out)
    with pytest.raises(ValueError, match=r"W_out has shape \(3, 5\)"):
        bloomnet.Network.from_numpy(W, b_in, W.T.copy(), b_out)
    with pytest.raises(ValueError, match="two-dimensional"):
        bloomnet.Network.from_numpy(b_in, b_in, W, b_out)


def test_nan_weights_are_refused_and_the_good_file_stays(tmp_path):
    W = np.zeros((5, 3), np.float32)
    bad = W.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"'W_in' holds NaN at \[2, 1\]"):
        bloomnet.Network.from_numpy(bad, np.zeros(3, np.float32), W, np.zeros(5, np.float32))
    net = bloomnet.construct(V=5, m=3, h=1)
    path = tmp_path / "net.safetensors"
    net.save(str(path))
    good = path.read_bytes()
    net.W_out[4, 0] = np.inf  # through a view
    with pytest.raises(ValueError, match=r"'W_out' holds infinity at \[4, 0\]"):
        net.save(str(path))
    with pytest.raises(ValueError, match="infinity"):
        net.evaluate(k=1)
    assert path.read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["net.safetensors"]  # no temporary left behind


def test_corrupt_and_truncated_files_are_value_errors(tmp_path):
    net = bloomnet.construct(V=20, m=8, h=2)
    path = tmp_path / "net.safetensors"
    net.save(str(path))
    data = path.read_bytes()
    (tmp_path / "truncated").write_bytes(data[:-7])
    (tmp_path / "garbage").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
    for name in ("truncated", "garbage"):
        with pytest.raises(ValueError) as error:
            bloomnet.load(str(tmp_path / name))
        assert name in one_line(error)
    write_torch_style(tmp_path / "nan", {"W_in": np.full((4, 2), np.nan), "b_in": np.zeros(2),
                                         "W_out": np.zeros((4, 2)), "b_out": np.zeros(4)}, {})
    with pytest.raises(ValueError, match="NaN"):
        bloomnet.load(str(tmp_path / "nan"))
    with pytest.raises(ValueError, match="not a split_block_filter"):
        bloomnet.SplitBlockFilter.load(str(path))
    f = bloomnet.SplitBlockFilter(blocks=3)
    f.save(str(tmp_path / "filter"))
    (tmp_path / "short").write_bytes((tmp_path / "filter").read_bytes()[:-1])
    with pytest.raises(ValueError):
        bloomnet.SplitBlockFilter.load(str(tmp_path / "short"))


def test_files_that_cannot_be_read_or_written_are_os_errors(tmp_path):
    with pytest.raises(OSError, match="does not exist") as error:
        bloomnet.load(str(tmp_path / "missing.safetensors"))
    one_line(error)
    with pytest.raises(OSError, match="not a regular file"):
        bloomnet.SplitBlockFilter.load(str(tmp_path))
    f = bloomnet.SplitBlockFilter(blocks=2)
    with pytest.raises(OSError, match="cannot write"):
        f.save(str(tmp_path / "no" / "such" / "dir" / "filter"))
    with pytest.raises(OSError, match="not a regular file"):
        f.save("/dev/null")
    with pytest.raises(OSError):
        bloomnet.train(V=16, k=1, d=4, steps=2, out=tmp_path / "missing" / "net", progress=False)

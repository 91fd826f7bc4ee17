"""Networks from numpy: weights as views of the network's memory, the forward pass against a
numpy reference, positives, files against the bloomnet program and an independent reader."""
import gc
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import bloomnet
from conftest import read_safetensors


def random_net(rng, V, d, activation="relu"):
    arrays = [rng.standard_normal(shape).astype(np.float32)
              for shape in ((V, d), (d,), (V, d), (V,))]
    return bloomnet.Network.from_numpy(*arrays, activation=activation), arrays


@given(V=st.integers(1, 40), d=st.integers(1, 24), seed=st.integers(0, 2**32),
       activation=st.sampled_from(["relu", "linear"]), data=st.data())
def test_forward_is_the_networks_formula(V, d, seed, activation, data):
    rng = np.random.default_rng(seed)
    net, (W_in, b_in, W_out, b_out) = random_net(rng, V, d, activation)
    sets = data.draw(st.lists(st.lists(st.integers(0, V - 1), unique=True, min_size=1,
                                       max_size=min(V, 5)), min_size=1, max_size=6))
    z = net.forward([np.array(S) for S in sets])
    assert z.shape == (len(sets), V) and z.dtype == np.float32
    for row, S in zip(z, sets):
        hidden = W_in[S].astype(np.float64).sum(axis=0) + b_in
        if activation == "relu":
            hidden = np.maximum(hidden, 0)
        expected = W_out.astype(np.float64) @ hidden + b_out
        np.testing.assert_allclose(row, expected, rtol=1e-4, atol=1e-4 * (1 + np.abs(expected).max()))


@given(V=st.integers(2, 60), d=st.integers(1, 16), seed=st.integers(0, 2**32), data=st.data())
def test_positives_are_the_tokens_within_ln2_of_the_top_logit(V, d, seed, data):
    net, _ = random_net(np.random.default_rng(seed), V, d)
    S = data.draw(st.lists(st.integers(0, V - 1), unique=True, min_size=1, max_size=min(V, 4)))
    z = net.forward([S])[0]
    np.testing.assert_array_equal(net.positives(S), np.flatnonzero(z >= z.max() - math.log(2)))


def test_views_are_the_networks_memory_in_the_spec_shapes():
    net = bloomnet.construct(V=50, m=20, h=2, seed=1)
    assert net.W_in.shape == (50, 20) and net.b_in.shape == (20,)
    assert net.W_out.shape == (50, 20) and net.b_out.shape == (50,)
    before = net.forward([[1, 2]])
    W_out = net.W_out
    W_out[:, :] = 0  # through the strided view: every logit becomes b_out = 0
    np.testing.assert_array_equal(net.forward([[1, 2]]), np.zeros((1, 50), np.float32))
    assert not np.array_equal(before, net.forward([[1, 2]]))
    view = net.W_in
    del net
    gc.collect()
    assert view.shape == (50, 20) and (view <= 0).all()  # the view keeps the network alive


def test_from_numpy_and_files_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    net, arrays = random_net(rng, 30, 7)
    for name, array in zip(("W_in", "b_in", "W_out", "b_out"), arrays):
        np.testing.assert_array_equal(getattr(net, name), array)
    path = tmp_path / "net.safetensors"
    net.save(str(path))
    back = bloomnet.load(str(path))
    assert back == net
    tensors, metadata = read_safetensors(path)
    for name, array in zip(("W_in", "b_in", "W_out", "b_out"), arrays):
        np.testing.assert_array_equal(tensors[name], array)
    assert metadata["V"] == "30" and metadata["d"] == "7"
    # Strided input reads the same values.
    W_in_fortran = np.asfortranarray(arrays[0])
    assert bloomnet.Network.from_numpy(W_in_fortran, *arrays[1:]) == net


def test_evaluate_prints_what_bloomnet_eval_prints(cli, tmp_path):
    net = bloomnet.construct(V=400, m=64, h=3, seed=9)
    path = tmp_path / "exact.safetensors"
    net.save(str(path))
    expected = cli("eval", "--weights", path, "--k", 4, "--sets", 512, "--seed", 3)
    expected.pop("weights")
    ours = net.evaluate(k=4, sets=512, seed=3)
    assert ours == expected
    assert ours["kind"] == "exact" and ours["filter_agreement"] == 1.0


def test_loaded_file_evaluates_like_the_cli(cli, tmp_path):
    rng = np.random.default_rng(5)
    net, _ = random_net(rng, 64, 12)
    path = tmp_path / "net.safetensors"
    net.save(str(path))
    expected = cli("eval", "--weights", path, "--k", 2, "--sets", 300)
    expected.pop("weights")
    assert bloomnet.load(str(path)).evaluate(k=2, sets=300) == expected


def test_sets_as_a_two_dimensional_array():
    net = bloomnet.construct(V=40, m=16, h=2, seed=0)
    sets = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    np.testing.assert_array_equal(net.forward(sets), net.forward([sets[0], sets[1]]))

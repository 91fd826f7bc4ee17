"""The filters from numpy: the split-block filter's bits against SPEC section 3's layout computed
independently in numpy, the laws of a Bloom filter (no false negatives, union, batched = one key),
keys of every integer width, views, files, and the classic filter against the exact network."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import bloomnet
from conftest import read_safetensors, reference_split_block_words

keys_strategy = st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=300)


@given(keys=keys_strategy, blocks=st.integers(1, 64), seed=st.integers(0, 2**64 - 1))
def test_split_block_bits_follow_the_spec_layout(keys, blocks, seed):
    f = bloomnet.SplitBlockFilter(blocks=blocks, seed=seed)
    f.insert(np.array(keys, dtype=np.uint64))
    np.testing.assert_array_equal(f.words, reference_split_block_words(keys, blocks, seed))
    assert f.keys_inserted == len(keys)


@given(keys=keys_strategy, probes=keys_strategy, blocks=st.integers(1, 16))
def test_inserted_keys_are_found_and_batched_equals_one_at_a_time(keys, probes, blocks):
    f = bloomnet.SplitBlockFilter(blocks=blocks, seed=7)
    f.insert(np.array(keys, dtype=np.uint64))
    assert f.contains(np.array(keys, dtype=np.uint64)).all()
    found = f.contains(np.array(probes, dtype=np.uint64))
    assert found.dtype == np.bool_
    assert list(found) == [key in f for key in probes]


@given(values=st.lists(st.integers(-2**31, 2**31 - 1), max_size=200),
       dtype=st.sampled_from([np.int8, np.int16, np.int32, np.int64]))
def test_a_key_is_its_integer_value_whatever_the_width(values, dtype):
    info = np.iinfo(dtype)
    values = [v for v in values if info.min <= v <= info.max]
    narrow = np.array(values, dtype=dtype)
    wide = np.array(values, dtype=np.int64)
    a = bloomnet.SplitBlockFilter(blocks=8)
    b = bloomnet.SplitBlockFilter(blocks=8)
    a.insert(narrow)
    b.insert(wide.view(np.uint64))
    assert a == b
    np.testing.assert_array_equal(a.contains(narrow), b.contains(wide))


def test_unsigned_keys_of_every_width_and_python_ints_agree():
    f = bloomnet.SplitBlockFilter(n=1000, bits_per_key=10, seed=3)
    f.insert(np.arange(200, dtype=np.uint16))
    for dtype in (np.uint8, np.uint32, np.uint64):
        assert f.contains(np.arange(200, dtype=dtype)[:200]).all()
    assert all(int(k) in f for k in range(200))
    assert f.contains(list(range(200))).all()  # a list goes through numpy.asarray


@given(a=keys_strategy, b=keys_strategy)
def test_union_is_the_filter_of_both_key_sets(a, b):
    fa, fb, both = (bloomnet.SplitBlockFilter(blocks=16, seed=1) for _ in range(3))
    fa.insert(np.array(a, dtype=np.uint64))
    fb.insert(np.array(b, dtype=np.uint64))
    both.insert(np.array(a + b, dtype=np.uint64))
    assert fa.union(fb) == both and (fa | fb) == both
    fa |= fb
    assert fa == both and fa.keys_inserted == len(a) + len(b)


def test_union_of_different_shapes_is_a_value_error():
    with pytest.raises(ValueError, match="different sizes or seeds"):
        bloomnet.SplitBlockFilter(blocks=4).union(bloomnet.SplitBlockFilter(blocks=5))
    with pytest.raises(ValueError, match="different sizes or seeds"):
        bloomnet.SplitBlockFilter(blocks=4, seed=1) | bloomnet.SplitBlockFilter(blocks=4, seed=2)


def test_sizing_by_bits_per_key_and_by_fpr():
    # Whole 32-byte blocks: ceil(n bits_per_key / 256) of them.
    assert bloomnet.SplitBlockFilter(n=10**6, bits_per_key=10).nbytes == 32 * 39063
    f = bloomnet.SplitBlockFilter(n=10**5, fpr=0.01)
    assert f.fpr_theory(10**5) <= 0.01
    assert bloomnet.SplitBlockFilter(blocks=f.blocks - 1).fpr_theory(10**5) > 0.01


def test_measured_fpr_of_random_keys_brackets_the_theory():
    # The formula assumes random keys (Poisson block loads); keys in arithmetic progression load
    # the blocks more evenly and measure lower.
    f = bloomnet.SplitBlockFilter(n=10**5, bits_per_key=10, seed=11)
    f.insert(np.random.default_rng(0).integers(0, 2**64, size=10**5, dtype=np.uint64))
    measured = f.fpr_measured(probes=10**6, seed=5)
    lo, hi = measured["ci95"]
    assert lo <= f.fpr_theory() <= hi, (measured, f.fpr_theory())
    assert measured == f.fpr_measured(probes=10**6, seed=5)  # seeded: the same probes


def test_words_are_a_read_only_view_of_the_filter():
    f = bloomnet.SplitBlockFilter(blocks=4)
    words = f.words
    assert words.shape == (4, 8) and words.dtype == np.uint32 and not words.flags.writeable
    assert not words.any()
    f.insert(np.array([1, 2, 3], dtype=np.uint64))
    assert words.any()  # the same memory, not a copy
    np.testing.assert_array_equal(np.asarray(f), words)  # the buffer protocol
    with pytest.raises(ValueError):
        words[0, 0] = 1
    del f
    assert words.any()  # the view keeps the filter alive


def test_split_block_file_round_trips_in_the_documented_layout(tmp_path):
    f = bloomnet.SplitBlockFilter(n=5000, bits_per_key=12, seed=99)
    f.insert(np.arange(5000, dtype=np.uint64))
    path = tmp_path / "filter.safetensors"
    f.save(str(path))
    g = bloomnet.SplitBlockFilter.load(str(path))
    assert g == f and g.keys_inserted == 5000 and g.seed == 99
    tensors, metadata = read_safetensors(path)
    assert metadata["kind"] == "split_block_filter" and metadata["blocks"] == str(f.blocks)
    np.testing.assert_array_equal(tensors["blocks"], f.words)


# The classic filter over a vocabulary.

@given(V=st.integers(1, 200), m=st.integers(1, 128), data=st.data())
def test_classic_filter_reports_exactly_the_tokens_whose_bits_are_all_set(V, m, data):
    h = data.draw(st.integers(1, min(m, 8)))
    S = data.draw(st.lists(st.integers(0, V - 1), unique=True, max_size=min(V, 12)))
    f = bloomnet.BloomFilter(V=V, m=m, h=h, seed=data.draw(st.integers(0, 2**64 - 1)))
    f.insert(np.array(S, dtype=np.int64))
    bits = np.unpackbits(f.words.view(np.uint8), bitorder="little")[:m].astype(bool)
    expected = [t for t in range(V) if bits[f.hashes(t)].all()]
    assert list(f.positives()) == expected
    assert list(f.contains(np.arange(V))) == [t in expected for t in range(V)]
    assert set(S) <= set(expected)
    outside = V - len(S)
    assert f.fpr_measured() == ((len(expected) - len(S)) / outside if outside else 0.0)


@given(V=st.integers(2, 150), m=st.integers(1, 96), data=st.data())
def test_classic_filter_equals_the_exact_network_of_its_family(V, m, data):
    h = data.draw(st.integers(1, min(m, 6)))
    seed = data.draw(st.integers(0, 2**32))
    S = data.draw(st.lists(st.integers(0, V - 1), unique=True, min_size=1, max_size=min(V, 8)))
    f = bloomnet.BloomFilter(V=V, m=m, h=h, seed=seed)
    f.insert(S)
    net = bloomnet.construct(V=V, m=m, h=h, seed=seed)
    np.testing.assert_array_equal(net.positives(np.array(S)), f.positives())


def test_classic_filter_union_file_and_theory(tmp_path):
    a = bloomnet.BloomFilter(V=500, m=256, h=4, seed=2)
    b = bloomnet.BloomFilter(V=500, m=256, h=4, seed=2)
    a.insert([1, 2, 3])
    b.insert([400, 401])
    both = a | b
    assert list(both.members()) == [1, 2, 3, 400, 401]
    assert set(a.positives()) | set(b.positives()) <= set(both.positives())
    path = tmp_path / "bloom.safetensors"
    both.save(str(path))
    assert bloomnet.BloomFilter.load(str(path)) == both
    assert 0 < both.fpr_theory() < 0.01
    with pytest.raises(ValueError, match="different hash families"):
        a.union(bloomnet.BloomFilter(V=500, m=256, h=4, seed=3))


def test_compiled_filter_of_the_cli_loads_equal(cli, tmp_path):
    net = bloomnet.construct(V=300, m=96, h=3, seed=4)
    weights, compiled = tmp_path / "exact.safetensors", tmp_path / "compiled.safetensors"
    net.save(str(weights))
    cli("compile", "--weights", weights, "--out", compiled, "--k", 4, "--sets", 64)
    ours = bloomnet.compile(net, k=4, sets=64)
    assert bloomnet.CompiledFilter.load(str(compiled)) == ours
    f = bloomnet.BloomFilter(V=300, m=96, h=3, seed=4)
    f.insert([5, 6, 7])
    np.testing.assert_array_equal(ours.positives([5, 6, 7]), f.positives())


def test_a_mapped_filter_answers_as_the_loaded_one(tmp_path):
    f = bloomnet.SplitBlockFilter(n=20_000, bits_per_key=10, seed=4)
    keys = np.random.default_rng(1).integers(0, 2**64, size=40_000, dtype=np.uint64)
    f.insert(keys[:20_000])
    path = tmp_path / "filter"
    f.save(str(path))
    mapped = bloomnet.SplitBlockFilter.open_mapped(str(path))
    assert (mapped.blocks, mapped.seed, mapped.keys_inserted) == (f.blocks, 4, 20_000)
    np.testing.assert_array_equal(mapped.contains(keys), f.contains(keys))
    assert all((int(k) in mapped) == (int(k) in f) for k in keys[::997])
    np.testing.assert_array_equal(mapped.words, f.words)
    assert not mapped.words.flags.writeable
    assert mapped.copy() == f and mapped.fpr_theory() == f.fpr_theory()
    bloomnet.BloomFilter(V=4, m=8, h=1).save(str(tmp_path / "classic"))
    with pytest.raises(ValueError, match="not a split_block_filter"):
        bloomnet.SplitBlockFilter.open_mapped(str(tmp_path / "classic"))
    with pytest.raises(OSError, match="cannot open"):
        bloomnet.SplitBlockFilter.open_mapped(str(tmp_path / "missing"))

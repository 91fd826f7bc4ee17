"""Reading and compiling networks, and the width study, from Python: an exact network reads back
as its own family, its compiled filter as its Bloom filter, and sweep() and fit() give the rows
and fits of `bloomnet sweep` and `bloomnet fit`."""
import math

import numpy as np

import bloomnet


def test_an_exact_net_reads_back_as_its_own_family():
    V, m, h = 200, 48, 3
    net = bloomnet.construct(V=V, m=m, h=h, seed=8)
    reading = bloomnet.compare(net, k=3, sets=256)
    family = bloomnet.BloomFilter(V=V, m=m, h=h, seed=8)
    expected = np.zeros((V, m), dtype=bool)
    for t in range(V):
        expected[t, family.hashes(t)] = True
    np.testing.assert_array_equal(reading["hashes"], expected)
    np.testing.assert_array_equal(reading["hash_counts"], np.full(V, h))
    assert reading["form"] == "complement" and reading["agreement_exact_match"] == 1.0
    histogram = reading["w_in_histogram"]
    assert histogram["counts"].sum() == V * m and histogram["lo"] == -1.0


def test_compare_prints_what_bloomnet_compare_prints(cli, tmp_path):
    net = bloomnet.construct(V=150, m=40, h=2, seed=1)
    path = tmp_path / "exact.safetensors"
    net.save(str(path))
    expected = cli("compare", "--weights", path, "--k", 2, "--sets", 128)
    expected.pop("weights")
    ours = bloomnet.compare(net, k=2, sets=128)
    for key in ("hashes", "hash_counts", "w_in_histogram"):
        ours.pop(key)
    assert ours == expected


def test_the_compiled_filter_of_an_exact_net_is_its_bloom_filter(tmp_path):
    net = bloomnet.construct(V=300, m=64, h=4, seed=2)
    compiled = bloomnet.compile(net, k=4, sets=128)
    assert compiled.measurements["agreement_exact_match"] == 1.0
    assert compiled.masks.shape == (300, 1) and not compiled.masks.flags.writeable
    f = bloomnet.BloomFilter(V=300, m=64, h=4, seed=2)
    for S in ([1, 2, 3, 4], [10, 200, 299, 0]):
        g = f.copy()
        g.insert(S)
        np.testing.assert_array_equal(compiled.positives(S), g.positives())
    path = tmp_path / "compiled.safetensors"
    compiled.save(str(path))
    loaded = bloomnet.CompiledFilter.load(str(path))
    assert loaded == compiled and loaded.measurements is None


SWEEP = dict(V=256, k=2, widths=[8, 12, 16, 20, 24, 28, 32], methods=["exact", "theory"],
             seeds=2, eval_sets=512, tuning_sets=256)


def test_sweep_and_fit_give_the_rows_and_fits_of_the_cli(cli, tmp_path):
    out = tmp_path / "sweep.csv"
    notes = []
    rows = bloomnet.sweep(**SWEEP, out=out, callback=notes.append)
    assert len(rows) == 7 * 2 + 7  # theory has seed 0 only
    assert len(notes) == len(rows)
    assert {row["method"] for row in rows} == {"exact", "theory"}
    assert all(isinstance(row["width"], int) for row in rows)
    assert all(math.isnan(row["theta"]) for row in rows)  # JL only: empty cells are NaN
    fits = bloomnet.fit(rows)
    expected = cli("fit", out)
    assert fits["rows"] == expected["rows"] == len(rows)
    assert len(fits["fits"]) == 2 and fits["fits"] == expected["fits"]
    assert bloomnet.fit(out) == fits  # from the CSV file itself
    # An interrupted sweep completes: the file's rows are kept, nothing reruns.
    assert bloomnet.sweep(**SWEEP, out=out) == rows

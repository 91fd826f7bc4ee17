"""bloomnet from Python: the C++ library's filters, networks, training and width study.

    import bloomnet
    net = bloomnet.train(V=1024, k=4, d=64, steps=2000)
    reading = bloomnet.compare(net, k=4)          # the net read as a Bloom filter
    f = bloomnet.SplitBlockFilter(n=10**6, bits_per_key=10)

Everything runs in the C++ library (bloomnet._core); this package adds what is Python's own:
progress bars, PyTorch interop, and sweep rows as dicts. Errors: ValueError for bad arguments or
data (a corrupt file included), OSError for a file that cannot be opened, read or written,
TypeError for an argument of the wrong type (a float array where keys go).
"""

import csv
import io
import math
import os
import tempfile

from ._core import (
    BloomFilter,
    CompiledFilter,
    MappedSplitBlockFilter,
    Network,
    SplitBlockFilter,
    compare,
    compile,
    construct,
    kernels,
    load,
    set_threads,
    threads,
)
from . import _core

__all__ = [
    "BloomFilter", "CompiledFilter", "MappedSplitBlockFilter", "Network", "SplitBlockFilter",
    "compare", "compile", "construct", "fit", "kernels", "load", "set_threads", "sweep",
    "threads", "train",
]


def _progress_bar(total, description):
    """A tqdm bar when tqdm is importable (None otherwise)."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=description, unit="step")


def train(*, V, k, d, steps=1000, k_max=0, zipf=0.0, activation="relu", loss="ce",
          optimizer="adam", lr=0.01, schedule="const", weight_decay=0.01, batch=256, seed=0,
          eval_every=1000, eval_sets=4096, eval_seed=1, log=None, checkpoint=None,
          checkpoint_every=0, resume=None, out=None, callback=None, progress=True):
    """Trains the network of SPEC section 2 on the k-sparse task; `bloomnet train`'s options.

    callback(step, metrics) runs after every step: step counts the steps done, metrics holds
    loss, lr and loss_kind, and after a held-out evaluation its metrics (mse, topk_exact, ...).
    With progress and tqdm importable, a bar shows the steps. Checkpoints go to `checkpoint`
    (default: out + ".ckpt"); Ctrl-C writes one, then raises KeyboardInterrupt; a run continued
    with resume=<checkpoint> ends bit for bit as the uninterrupted one. Returns the Network;
    its training_log holds the held-out evaluations.
    """
    bar = _progress_bar(steps, "train") if progress else None

    def after_step(step, metrics):
        if bar is not None:
            bar.update(step - bar.n)  # a resumed run starts where its checkpoint stopped
            bar.set_postfix(loss=f"{metrics['loss']:.4g}", refresh=False)
        if callback is not None:
            callback(step, metrics)

    try:
        return _core._train(
            V=V, k=k, d=d, steps=steps, k_max=k_max, zipf=zipf, activation=activation,
            loss=loss, optimizer=optimizer, lr=lr, schedule=schedule,
            weight_decay=weight_decay, batch=batch, seed=seed, eval_every=eval_every,
            eval_sets=eval_sets, eval_seed=eval_seed, log=_path(log),
            checkpoint=_path(checkpoint), checkpoint_every=checkpoint_every,
            resume=_path(resume), out=_path(out),
            callback=after_step if (bar is not None or callback is not None) else None)
    finally:
        if bar is not None:
            bar.close()


def _path(value):
    return None if value is None else os.fspath(value)


# Sweep rows: the CSV of sweep_table.hpp, one dict per row. Numbers are floats (ints for the
# point's counts), empty cells NaN; method and training stay strings.
_TEXT_COLUMNS = {"method", "training"}
_INTEGER_COLUMNS = {"width", "seed", "vocab", "k", "k_max"}


def _cell(column, text):
    if column in _TEXT_COLUMNS:
        return text
    if text == "":
        return math.nan
    return int(text) if column in _INTEGER_COLUMNS else float(text)


def _rows_from_csv(text):
    return [{column: _cell(column, value) for column, value in row.items()}
            for row in csv.DictReader(io.StringIO(text))]


def _csv_from_rows(rows):
    header = _core._sweep_header().strip().split(",")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        missing = [column for column in header if column not in row]
        if missing:
            raise ValueError(f"a sweep row lacks the columns {', '.join(missing)}")
        cells = []
        for column in header:
            value = row[column]
            if isinstance(value, float) and math.isnan(value):
                value = ""
            elif isinstance(value, float):
                value = repr(value)
            cells.append(value)
        writer.writerow(cells)
    return out.getvalue()


def sweep(*, V, k, widths, methods=("trained", "exact", "jl"), seeds=1,
          steps=20000, batch=256, lr=0.01, loss="ce2mse", schedule="cosine", k_max=0, zipf=0.0,
          eval_sets=4096, max_eval_sets=0, min_false_positives=100, eval_seed=1,
          tuning_sets=1024, read_nets=True, nets_dir=None, out=None, shard="1/1", jobs=1,
          callback=None):
    """The width study of SPEC section 6 (`bloomnet sweep`): one row (a dict) per method, width
    and seed. With `out`, rows are kept in that CSV as they finish and an interrupted call with
    the same arguments completes it. callback(note) receives a line per finished point."""
    with tempfile.TemporaryDirectory(prefix="bloomnet-sweep-") as scratch:
        path = _path(out) if out is not None else os.path.join(scratch, "sweep.csv")
        text = _core._sweep(
            V=V, k=k, widths=list(widths), methods=list(methods), seeds=seeds, steps=steps,
            batch=batch, lr=lr, loss=loss, schedule=schedule, k_max=k_max, zipf=zipf,
            eval_sets=eval_sets, max_eval_sets=max_eval_sets,
            min_false_positives=min_false_positives, eval_seed=eval_seed,
            tuning_sets=tuning_sets, read_nets=read_nets, nets_dir=_path(nets_dir), out=path,
            shard=shard, jobs=jobs, callback=callback)
    return _rows_from_csv(text)


def fit(rows):
    """The fits of ln eps against width and the law per method (`bloomnet fit`): a dict with
    rows, fits and cells. rows: the dicts sweep() gives, or the path of a sweep CSV (or a list
    of paths: shards are merged)."""
    if isinstance(rows, (str, os.PathLike)):
        rows = [rows]
    if rows and all(isinstance(row, (str, os.PathLike)) for row in rows):
        texts = []
        for path in rows:
            with open(path, encoding="utf-8") as file:
                texts.append(file.read())
        return _core._fit("".join(texts))
    return _core._fit(_csv_from_rows(rows))


def _from_torch(module_or_state_dict, activation="relu"):
    """A Network from a PyTorch module with two nn.Linear layers (V -> d, then d -> V, in the
    order the module registers them) or its state dict (W_in, b_in, W_out, b_out; or two
    layers' weight and bias). Tensors are copied; the module is not kept."""
    import numpy as np
    import torch

    state = module_or_state_dict
    if isinstance(state, torch.nn.Module):
        linears = [m for m in state.modules() if isinstance(m, torch.nn.Linear)]
        if len(linears) != 2:
            raise ValueError(f"expected a module with two nn.Linear layers, found {len(linears)}")
        first, second = linears
        state = {"W_in": first.weight.T, "b_in": first.bias, "W_out": second.weight,
                 "b_out": second.bias}
    elif not {"W_in", "b_in", "W_out", "b_out"} <= set(state):
        # In the state dict's own order: the order the module registered its layers.
        linear = list(dict.fromkeys(key.rsplit(".", 1)[0] for key in state
                                    if key.endswith(".weight")))
        if len(linear) != 2:
            raise ValueError("a state dict needs W_in, b_in, W_out, b_out or two Linear layers "
                             f"(found weights {linear})")
        first, second = linear
        state = {"W_in": state[first + ".weight"].T, "b_in": state[first + ".bias"],
                 "W_out": state[second + ".weight"], "b_out": state[second + ".bias"]}

    def array(name):
        tensor = state[name]
        if tensor.dtype != torch.float32:
            raise TypeError(f"{name} must be float32, not {tensor.dtype}")
        return np.ascontiguousarray(tensor.detach().cpu().numpy())

    return Network.from_numpy(array("W_in"), array("b_in"), array("W_out"), array("b_out"),
                              activation=activation)


def _to_torch(self):
    """An nn.Module with two nn.Linear layers (fc1: V -> d, fc2: d -> V) holding a copy of the
    weights; forward(x) takes k-hot rows (B, V) and gives the logits."""
    import torch

    class BloomNet(torch.nn.Module):
        def __init__(self, V, d, relu):
            super().__init__()
            self.fc1 = torch.nn.Linear(V, d)
            self.fc2 = torch.nn.Linear(d, V)
            self.relu = relu

        def forward(self, x):
            hidden = self.fc1(x)
            return self.fc2(torch.relu(hidden) if self.relu else hidden)

    module = BloomNet(self.V, self.d, self.activation == "relu")
    with torch.no_grad():
        module.fc1.weight.copy_(torch.from_numpy(self.W_in.T.copy()))
        module.fc1.bias.copy_(torch.from_numpy(self.b_in.copy()))
        module.fc2.weight.copy_(torch.from_numpy(self.W_out.copy()))
        module.fc2.bias.copy_(torch.from_numpy(self.b_out.copy()))
    return module


Network.from_torch = staticmethod(_from_torch)
Network.to_torch = _to_torch

#!/usr/bin/python3
"""Weights files across implementations: a file written by `bloomnet construct` parses with
nothing but the safetensors layout (as numpy and PyTorch readers do), and a file written the way
PyTorch's safetensors writer lays it out (other tensor order, {"format": "pt"} metadata, its own
padding) loads in `bloomnet eval` with the same metrics as the original.

usage: safetensors_interop_test.py BLOOMNET_BINARY SCRATCH_DIR"""
import json
import os
import struct
import subprocess
import sys

import numpy as np


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", entry
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(entry["shape"])
    return tensors, header.get("__metadata__", {})


def write_torch_style(path, tensors, metadata):
    # safetensors' writer: tensors sorted by name here (PyTorch's order differs from ours), offsets
    # contiguous, header padded with spaces to a multiple of 8.
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name in sorted(tensors, key=str.lower):
        blob = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def eval_json(binary, path):
    out = subprocess.run([binary, "eval", "--weights", path, "--k", "8", "--sets", "300"],
                         check=True, capture_output=True, text=True).stdout
    metrics = json.loads(out)
    # What only an exact net's file adds: its recorded filter and the comparisons with it.
    for key in ("weights", "kind", "m", "h", "form", "beta", "fpr_theory", "fpr_theory_distinct"):
        metrics.pop(key, None)
    return {key: value for key, value in metrics.items()
            if not key.startswith(("filter_", "oracle_", "net_fp_"))}


def main():
    binary, scratch = sys.argv[1], sys.argv[2]
    os.makedirs(scratch, exist_ok=True)
    ours = os.path.join(scratch, "exact.safetensors")
    subprocess.run([binary, "construct", "--vocab", "700", "--width", "96", "--hashes", "5",
                    "--beta", "12", "--out", ours], check=True, capture_output=True)

    tensors, metadata = read_safetensors(ours)
    W_in, b_in, W_out, b_out = (tensors[n] for n in ("W_in", "b_in", "W_out", "b_out"))
    assert W_in.shape == (700, 96) and W_out.shape == (700, 96), W_in.shape
    assert b_in.shape == (96,) and b_out.shape == (700,)
    assert metadata == {"format": "bloomnet/1", "V": "700", "d": "96", "activation": "relu",
                        "kind": "exact",
                        "m": "96", "h": "5",
                        "seed": "0", "beta": "12", "form": "complement"}, metadata
    # SPEC section 4, complement form, in the file's [V, d] orientation.
    assert set(np.unique(W_in)) == {0.0, -1.0}
    assert (np.count_nonzero(W_in, axis=1) == 5).all()
    assert (W_out == 12.0 * W_in).all() and (b_in == 1.0).all() and (b_out == 0.0).all()

    theirs = os.path.join(scratch, "torch_style.safetensors")
    write_torch_style(theirs, tensors, {"format": "pt"})
    assert eval_json(binary, theirs) == eval_json(binary, ours)
    print("safetensors interop: 2 passed, 0 failed")


if __name__ == "__main__":
    main()

"""Shared helpers of the pytest suite: the bloomnet program of the same build (for results the
module must reproduce), an independent safetensors reader and PyTorch-style writer, and the
numpy reference of the split-block filter's layout (SPEC section 3)."""
import json
import os
import struct
import subprocess

import numpy as np
import pytest
from hypothesis import settings

# Properties run a modest number of examples: the laws are cheap, the suite runs in CI.
settings.register_profile("bloomnet", max_examples=60, deadline=None)
settings.load_profile("bloomnet")


@pytest.fixture(scope="session")
def cli():
    """Runs the bloomnet program CTest names in BLOOMNET_CLI; returns its stdout parsed as JSON."""
    binary = os.environ.get("BLOOMNET_CLI")
    if not binary or not os.path.exists(binary):
        pytest.fail("BLOOMNET_CLI must name the bloomnet program (CTest sets it)")

    def run(*args):
        result = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
        if result.returncode != 0:
            raise AssertionError(f"bloomnet {' '.join(map(str, args))}: {result.stderr}")
        return json.loads(result.stdout)

    return run


def read_safetensors(path):
    """Tensors and metadata of a safetensors file, read with nothing but its layout."""
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    dtypes = {"F32": "<f4", "U32": "<u4", "U64": "<u8"}
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype=dtypes[entry["dtype"]]).reshape(
            entry["shape"])
    return tensors, header.get("__metadata__", {})


def write_torch_style(path, tensors, metadata):
    """A file laid out as safetensors' PyTorch writer lays it out: tensors sorted by name,
    {"format": "pt"} metadata, header padded with spaces to a multiple of 8."""
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


SALTS = np.array([0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d,
                  0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31], dtype=np.uint64)
MASK32 = np.uint64(0xFFFFFFFF)


def reference_split_block_words(keys, blocks, seed):
    """The lanes a split-block filter of `blocks` blocks holds after inserting `keys`, computed
    from SPEC section 3's layout in numpy: h = (key ^ seed) * 0x9e3779b97f4a7c15, h ^= h >> 32;
    block (h >> 32) * blocks >> 32; lane i gets bit (uint32(h) * salt_i mod 2^32) >> 27."""
    words = np.zeros((blocks, 8), dtype=np.uint32)
    with np.errstate(over="ignore"):
        h = (np.asarray(keys, dtype=np.uint64) ^ np.uint64(seed)) * np.uint64(0x9e3779b97f4a7c15)
        h ^= h >> np.uint64(32)
        block = ((h >> np.uint64(32)) * np.uint64(blocks)) >> np.uint64(32)
        low = h & MASK32
        for lane in range(8):
            bit = ((low * SALTS[lane]) & MASK32) >> np.uint64(27)
            np.bitwise_or.at(words[:, lane], block.astype(np.int64),
                             (np.uint32(1) << bit.astype(np.uint32)))
    return words

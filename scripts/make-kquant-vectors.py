#!/usr/bin/env python3
"""Generate bit-exact K-quant reference vectors (Q2_K..Q6_K) for QuantEngine's tests.

gguf-py has no K-quant quantizer, so the oracle is ggml's own C reference built WITHOUT fused
multiply-add (see docs/formats-gguf-safetensors.md §8):

    pip download llama-cpp-python --no-deps --no-binary llama-cpp-python   # sdist with ggml
    gcc/g++ -O2 -fPIC -ffp-contract=off ... ggml/src/{ggml.c,ggml-quants.c,...} -> libggml-ref.so
    python scripts/make-kquant-vectors.py /path/to/libggml-ref.so Tests/QuantEngineTests/Fixtures/kquant

Neither the C source nor the library is committed; only this script and its output are.
Files: inputs.f32 (float32 LE), <TYPE>.bin (ggml_quantize_chunk without imatrix), manifest.json.
"""
import ctypes
import json
import sys
from pathlib import Path

import numpy as np

TYPES = {"Q2_K": (10, 84), "Q3_K": (11, 110), "Q4_K": (12, 144), "Q5_K": (13, 176), "Q6_K": (14, 210)}


def cases():
    rng = np.random.default_rng(31337)
    out = []

    def add(name, values):
        values = np.asarray(values, dtype=np.float32).reshape(-1)
        assert values.size % 256 == 0, name
        out.append((name, values))

    add("normal", rng.standard_normal(256 * 12))
    add("normal-scaled", np.concatenate([rng.standard_normal(256) * s for s in (1e-4, 3e-2, 7.0, 2e3)]))
    add("all-zero", np.zeros(256))
    half_zero = rng.standard_normal(256)
    half_zero[:128] = 0
    half_zero[200:216] = 0
    add("partly-zero", half_zero)
    outliers = rng.standard_normal(512)
    outliers[rng.integers(0, 512, 8)] = 60.0
    outliers[rng.integers(0, 512, 4)] = -90.0
    add("outliers", outliers)
    tied = rng.standard_normal(256).astype(np.float32)
    for b in range(16):
        tied[16 * b + 3] = 2.5
        tied[16 * b + 11] = -2.5
    add("tied", tied)
    add("positive", rng.uniform(0.1, 1.0, 256))
    add("negative", -rng.uniform(0.1, 1.0, 256))
    add("laplace", rng.laplace(size=512))
    add("small-integers", rng.integers(-3, 4, 256).astype(np.float32))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    lib = ctypes.CDLL(sys.argv[1])
    out_dir = Path(sys.argv[2] if len(sys.argv) > 2 else "Tests/QuantEngineTests/Fixtures/kquant")
    out_dir.mkdir(parents=True, exist_ok=True)
    lib.ggml_quantize_chunk.restype = ctypes.c_size_t
    lib.ggml_quantize_chunk.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                                        ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]

    all_cases = cases()
    inputs = np.ascontiguousarray(np.concatenate([v for _, v in all_cases]).astype(np.float32))
    inputs.tofile(out_dir / "inputs.f32")
    manifest = {"cases": [], "types": list(TYPES)}
    offset = 0
    for name, values in all_cases:
        manifest["cases"].append({"name": name, "offset": offset, "count": int(values.size)})
        offset += values.size
    rows = inputs.size // 256
    for name, (type_id, size) in TYPES.items():
        dst = np.zeros(rows * size, dtype=np.uint8)
        written = lib.ggml_quantize_chunk(type_id, inputs.ctypes.data, dst.ctypes.data, 0, rows, 256, None)
        assert written == dst.size, (name, written)
        dst.tofile(out_dir / f"{name}.bin")
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()

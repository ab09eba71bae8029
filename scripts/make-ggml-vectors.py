#!/usr/bin/env python3
"""Generate bit-exact ggml reference vectors for QuantEngine's tests.

Inputs are built with fixed seeds; outputs come from gguf-py's numpy quantizer and dequantizer
(`gguf.quants`). Run with a Python that has numpy and gguf:

    python scripts/make-ggml-vectors.py Tests/QuantEngineTests/Fixtures/ggml

Files written (all little-endian):
  inputs.f32               every case's float32 values, concatenated
  manifest.json            cases (name, offset, count) and the files below
  <TYPE>.bin / <TYPE>.deq.f32   gguf-py quantize(inputs) and dequantize of those bytes
  decode-<TYPE>.bin / .f32      random blocks of a decode-only type and gguf-py's dequantization
"""
import json
import sys
from pathlib import Path

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import GGML_QUANT_SIZES
from gguf.quants import dequantize, quantize

QUANT_TYPES = [T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.F16, T.BF16]
# New types go at the end: the blocks come from one random stream, so earlier files stay the same.
DECODE_TYPES = [T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K, T.IQ4_NL, T.IQ4_XS, T.TQ1_0, T.TQ2_0, T.MXFP4,
                T.IQ2_XXS, T.IQ2_XS, T.IQ2_S, T.IQ3_XXS, T.IQ3_S, T.IQ1_S, T.IQ1_M, T.NVFP4]


def cases():
    rng = np.random.default_rng(20240601)
    out = []

    def add(name, values):
        values = np.asarray(values, dtype=np.float32).reshape(-1)
        assert values.size % 256 == 0, name
        out.append((name, values))

    add("normal", rng.standard_normal(2048))
    add("normal-small", rng.standard_normal(256) * 1e-3)
    add("normal-large", rng.standard_normal(256) * 1e3)
    add("uniform-positive", rng.uniform(0.5, 2.0, 256))
    add("all-zero", np.zeros(256))

    tied = rng.standard_normal(256).astype(np.float32)
    for b in range(8):
        m = np.float32(3.0 + b)
        tied[b * 32 + 5] = m
        tied[b * 32 + 9] = -m
        if b % 2:  # negative first
            tied[b * 32 + 5], tied[b * 32 + 9] = -m, m
    add("tied-max", tied)

    outliers = rng.standard_normal(256).astype(np.float32)
    outliers[rng.integers(0, 256, 6)] = np.float32(80.0)
    outliers[rng.integers(0, 256, 3)] = np.float32(-150.0)
    add("outliers", outliers)

    sub = (rng.standard_normal(256) * 1e-39).astype(np.float32)
    sub[32:64] = (rng.standard_normal(32) * 1e-41).astype(np.float32)
    sub[64:96] = rng.standard_normal(32).astype(np.float32)
    sub[70] = np.float32(1e-40)
    add("subnormal", sub)

    # Exact ties after scaling. Block 0/1: Q8_0 (amax 127 → d = 1); block 2/3: Q4_0/Q5_0
    # (signed max −8 / −16 → d = 1); block 4/5: Q4_1/Q5_1 (min 0, max 15/31 → d = 1).
    ties = np.zeros(256, dtype=np.float32)
    half_steps = (np.arange(32) % 16).astype(np.float32) - 7.5
    ties[0:32] = np.concatenate([[127.0], half_steps[1:] * 8])
    ties[32:64] = np.concatenate([[-127.0], np.arange(31) - 15.5])
    ties[64:96] = np.concatenate([[-8.0], half_steps[1:]])
    ties[96:128] = np.concatenate([[-16.0], (np.arange(31) - 15.5)])
    ties[128:160] = np.concatenate([[0.0, 15.0], np.arange(30) / 2.0])
    ties[160:192] = np.concatenate([[0.0, 31.0], np.arange(30) + 0.5])
    ties[192:256] = (rng.integers(-40, 40, 64) + 0.5).astype(np.float32)
    ties[192] = np.float32(127.0)
    add("ties", ties)

    near = ties.copy()
    direction = np.where(rng.random(256) < 0.5, -np.inf, np.inf).astype(np.float32)
    near = np.nextafter(near, direction).astype(np.float32)
    near[[0, 32, 64, 96, 129, 161]] = ties[[0, 32, 64, 96, 129, 161]]
    add("near-ties", near)
    return out


def decode_blocks(qtype, rng, n_blocks=8):
    block, size = GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, (n_blocks, size), dtype=np.uint8)

    def put_half(col, values):
        raw[:, col:col + 2] = np.asarray(values, dtype=np.float16).view(np.uint8).reshape(n_blocks, 2)

    d = (rng.standard_normal(n_blocks) * 0.02).astype(np.float16)
    if qtype == T.Q2_K:
        put_half(80, d); put_half(82, np.abs(d))
    elif qtype == T.Q3_K:
        put_half(108, d)
    elif qtype in (T.Q4_K, T.Q5_K):
        put_half(0, d); put_half(2, np.abs(d))
    elif qtype == T.Q6_K:
        put_half(208, d)
    elif qtype in (T.IQ4_NL, T.IQ4_XS, T.IQ2_XXS, T.IQ2_XS, T.IQ2_S, T.IQ3_XXS, T.IQ3_S, T.IQ1_S):
        put_half(0, d)
    elif qtype == T.IQ1_M:
        # The fp16 scale is spread over the top nibbles of the four u16 scale words (bytes 48..55).
        bits = d.view(np.uint16)
        for i in range(4):
            word = raw[:, 48 + 2 * i].astype(np.uint16) | (raw[:, 49 + 2 * i].astype(np.uint16) << 8)
            word = (word & 0x0FFF) | (((bits >> (4 * i)) & 0xF) << 12)
            raw[:, 48 + 2 * i] = (word & 0xFF).astype(np.uint8)
            raw[:, 49 + 2 * i] = (word >> 8).astype(np.uint8)
    elif qtype == T.TQ1_0:
        put_half(52, d)
    elif qtype == T.TQ2_0:
        put_half(64, d)
    elif qtype == T.MXFP4:
        raw[:, 0] = rng.integers(100, 140, n_blocks)
        raw[0, 0] = 0
        raw[1, 0] = 1
    return raw


def main():
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "Tests/QuantEngineTests/Fixtures/ggml")
    out_dir.mkdir(parents=True, exist_ok=True)
    all_cases = cases()
    manifest = {"cases": [], "quantized": [], "decoded": []}
    offset = 0
    for name, values in all_cases:
        manifest["cases"].append({"name": name, "offset": offset, "count": int(values.size)})
        offset += values.size
    inputs = np.concatenate([v for _, v in all_cases]).astype(np.float32)
    inputs.tofile(out_dir / "inputs.f32")

    with np.errstate(all="ignore"):
        for qtype in QUANT_TYPES:
            q = quantize(inputs.reshape(1, -1), qtype)
            dq = dequantize(q, qtype).astype(np.float32).reshape(-1)
            np.ascontiguousarray(q).tofile(out_dir / f"{qtype.name}.bin")
            dq.tofile(out_dir / f"{qtype.name}.deq.f32")
            manifest["quantized"].append(qtype.name)

        rng = np.random.default_rng(7)
        for qtype in DECODE_TYPES:
            raw = decode_blocks(qtype, rng)
            values = dequantize(raw.reshape(-1), qtype).astype(np.float32).reshape(-1)
            raw.tofile(out_dir / f"decode-{qtype.name}.bin")
            values.tofile(out_dir / f"decode-{qtype.name}.f32")
            manifest["decoded"].append({"type": qtype.name, "count": int(values.size)})

    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()

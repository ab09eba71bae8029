"""Re-check QuantEngine's ggml quantizers against the live gguf package.

Needs the built benchmark executable in $QSCOPE_BENCH (e.g. .build/release/qscope-bench); the
tests are skipped without it. Fresh random data each run (seeded per test for reproducibility),
written as raw float32, quantized by `qscope-bench quantize-raw`, and compared byte for byte with
gguf.quants.quantize, and value for value after gguf.quants.dequantize.
"""
import os
import subprocess

import numpy as np
import pytest
from gguf import GGMLQuantizationType as T
from gguf.quants import dequantize, quantize

BENCH = os.environ.get("QSCOPE_BENCH")
pytestmark = pytest.mark.skipif(not BENCH, reason="set QSCOPE_BENCH to the qscope-bench executable")

SCHEMES = {"q8_0": T.Q8_0, "q4_0": T.Q4_0, "q4_1": T.Q4_1, "q5_0": T.Q5_0, "q5_1": T.Q5_1,
           "f16": T.F16, "bf16": T.BF16}


def inputs(seed):
    rng = np.random.default_rng(seed)
    parts = [
        rng.standard_normal(32 * 512),
        rng.standard_normal(32 * 64) * 1e-3,
        rng.standard_normal(32 * 64) * 300,
        np.zeros(32 * 4),
        (rng.integers(-60, 60, 32 * 32) + 0.5) / 8,  # many exact ties after scaling
        rng.laplace(size=32 * 128),
    ]
    x = np.concatenate(parts).astype(np.float32)
    x[rng.integers(0, x.size, 20)] = np.float32(40.0)
    return x


def run_bench(tmp_path, scheme, x):
    src, dst = tmp_path / "in.f32", tmp_path / "out.bin"
    x.astype("<f4").tofile(src)
    subprocess.run([BENCH, "quantize-raw", "--scheme", scheme, str(src), str(dst)], check=True)
    return np.fromfile(dst, dtype=np.uint8)


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_quantized_bytes_match_gguf(tmp_path, scheme):
    qtype = SCHEMES[scheme]
    x = inputs(seed=sorted(SCHEMES).index(scheme) + 1000)
    ours = run_bench(tmp_path, scheme, x)
    with np.errstate(all="ignore"):
        theirs = np.ascontiguousarray(quantize(x.reshape(1, -1), qtype)).view(np.uint8).reshape(-1)
    assert ours.size == theirs.size
    differing = np.flatnonzero(ours != theirs)
    assert differing.size == 0, f"{scheme}: {differing.size} bytes differ, first at {differing[:5]}"
    # Both dequantize to identical floats (through gguf's reader code).
    a = np.asarray(dequantize(ours.reshape(1, -1), qtype), dtype=np.float32)
    b = np.asarray(dequantize(theirs.reshape(1, -1), qtype), dtype=np.float32)
    assert np.array_equal(a.view(np.uint32), b.view(np.uint32))


def test_row_not_divisible_is_an_error(tmp_path):
    src, dst = tmp_path / "in.f32", tmp_path / "out.bin"
    np.ones(33, dtype="<f4").tofile(src)
    result = subprocess.run([BENCH, "quantize-raw", "--scheme", "q4_0", str(src), str(dst)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "block size" in result.stderr


KQUANTS = {"q2_k": T.Q2_K, "q3_k": T.Q3_K, "q4_k": T.Q4_K, "q5_k": T.Q5_K, "q6_k": T.Q6_K}
DECODE_ONLY = [T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K, T.IQ4_NL, T.IQ4_XS, T.TQ1_0, T.TQ2_0, T.MXFP4,
               T.IQ2_XXS, T.IQ2_XS, T.IQ2_S, T.IQ3_XXS, T.IQ3_S, T.IQ1_S, T.IQ1_M, T.NVFP4]


def run_decoder(tmp_path, qtype, raw):
    src, dst = tmp_path / "in.bin", tmp_path / "out.f32"
    raw.tofile(src)
    subprocess.run([BENCH, "dequantize-raw", "--type", qtype.name, str(src), str(dst)], check=True)
    return np.fromfile(dst, dtype="<f4")


@pytest.mark.parametrize("scheme", sorted(KQUANTS))
def test_kquant_output_reads_back_through_gguf(tmp_path, scheme):
    """gguf-py cannot quantize K-quants, but it must read ours back close to the input."""
    qtype = KQUANTS[scheme]
    x = np.random.default_rng(5).standard_normal(256 * 64).astype(np.float32)
    ours = run_bench(tmp_path, scheme, x)
    back = np.asarray(dequantize(ours.reshape(1, -1), qtype), dtype=np.float32).reshape(-1)
    rel_rmse = np.sqrt(np.mean((back - x) ** 2)) / np.std(x)
    limit = {"q2_k": 0.45, "q3_k": 0.2, "q4_k": 0.1, "q5_k": 0.05, "q6_k": 0.03}[scheme]
    assert rel_rmse < limit
    assert np.array_equal(run_decoder(tmp_path, qtype, ours).view(np.uint32), back.view(np.uint32))


@pytest.mark.parametrize("qtype", DECODE_ONLY, ids=lambda t: t.name)
def test_block_decoders_match_gguf_on_random_blocks(tmp_path, qtype):
    from gguf import GGML_QUANT_SIZES
    block, size = GGML_QUANT_SIZES[qtype]
    rng = np.random.default_rng(int(qtype))
    raw = rng.integers(0, 256, (32, size), dtype=np.uint8)
    # Keep the fp16 scales finite so NaN payloads do not make the comparison ambiguous.
    offsets = {T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
               T.IQ4_NL: [0], T.IQ4_XS: [0], T.TQ1_0: [52], T.TQ2_0: [64], T.IQ2_XXS: [0], T.IQ2_XS: [0],
               T.IQ2_S: [0], T.IQ3_XXS: [0], T.IQ3_S: [0], T.IQ1_S: [0]}.get(qtype, [])
    for off in offsets:
        raw[:, off:off + 2] = (rng.standard_normal(32) * 0.05).astype(np.float16).view(np.uint8).reshape(32, 2)
    if qtype == T.IQ1_M:  # its fp16 scale is spread over the top nibbles of four u16 words at byte 48
        words = raw[:, 48:56].copy().view("<u2")
        bits = (rng.standard_normal((32, 1)) * 0.05).astype(np.float16).view(np.uint16)
        words[:] = (words & 0x0FFF) | (((bits >> np.array([0, 4, 8, 12], dtype=np.uint16)) & 0xF) << 12)
        raw[:, 48:56] = words.view(np.uint8)
    with np.errstate(all="ignore"):  # random MXFP4 exponents overflow to inf on both sides
        theirs = np.asarray(dequantize(raw.reshape(-1), qtype), dtype=np.float32).reshape(-1)
    ours = run_decoder(tmp_path, qtype, raw.reshape(-1))
    assert np.array_equal(ours.view(np.uint32), theirs.view(np.uint32))

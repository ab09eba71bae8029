"""Interop: GGUF files written by QuantScope load with gguf-py (the reference reader), keep every
metadata key, carry the requested ggml types, and dequantize to (close to) the original weights.

- The committed sample and the files our Swift writer exports (set QSCOPE_INTEROP_DIR and run
  `swift test --filter GGUFInteropExport` first) are checked without the CLI.
- `qscope quantize` outputs are checked when QSCOPE_BIN points at a built qscope binary.
  Q8_0/Q4_0/Q4_1/Q5_0/Q5_1 must equal gguf-py's numpy quantizer byte for byte; K-quants (which
  gguf-py cannot quantize) must dequantize finite and within a per-type SQNR bound.
- If QSCOPE_LIBGGML points at a libggml shared library (built from llama.cpp's ggml/src as in
  docs/formats-gguf-safetensors.md §8), ggml's own C reader (gguf_init_from_file) must accept
  every file we wrote.
- If QSCOPE_DEQUANT_CMD is set (a command template with {file}, {tensor} and {out}, writing a
  float32 .npy), our dequantization is compared with gguf-py's bit for bit.
"""

import json
import os
import shlex
import subprocess
from pathlib import Path

import numpy as np
import pytest
import gguf
from gguf import GGMLQuantizationType as T

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "SampleModels" / "minilm-sample.gguf"
QSCOPE_BIN = os.environ.get("QSCOPE_BIN")
INTEROP_DIR = os.environ.get("QSCOPE_INTEROP_DIR")
DEQUANT_CMD = os.environ.get("QSCOPE_DEQUANT_CMD")
LIBGGML = os.environ.get("QSCOPE_LIBGGML")
needs_cli = pytest.mark.skipif(not QSCOPE_BIN, reason="QSCOPE_BIN is not set")

# ggml type name -> (gguf-py type, llama_ftype, min SQNR dB on uniform random weights)
SCHEMES = {
    "q8_0": (T.Q8_0, 7, 35.0), "q4_0": (T.Q4_0, 2, 15.0), "q4_1": (T.Q4_1, 3, 15.0),
    "q5_0": (T.Q5_0, 8, 20.0), "q5_1": (T.Q5_1, 9, 20.0), "q2_k": (T.Q2_K, 10, 5.0),
    "q3_k": (T.Q3_K, 12, 10.0), "q4_k": (T.Q4_K, 15, 15.0), "q5_k": (T.Q5_K, 17, 20.0),
    "q6_k": (T.Q6_K, 18, 25.0),
}
NUMPY_QUANTIZABLE = {"q8_0", "q4_0", "q4_1", "q5_0", "q5_1"}
FILE_KEYS = {"general.file_type", "general.quantization_version", "general.alignment"}


def fields(reader):
    """Metadata as {key: python value}, without gguf-py's GGUF.* pseudo-fields."""
    return {k: f.contents() for k, f in reader.fields.items() if not k.startswith("GGUF.")}


def tensors(reader):
    return {t.name: t for t in reader.tensors}


def floats(t):
    """A tensor's values as float32 in numpy order (dequantized when it is quantized)."""
    return np.asarray(gguf.quants.dequantize(t.data, t.tensor_type), dtype=np.float32).reshape(
        tuple(int(d) for d in reversed(t.shape.tolist())))


def sqnr_db(x, y):
    x = x.astype(np.float64)
    noise = np.sum((x - y.astype(np.float64)) ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(np.sum(x * x) / noise)


def assert_ggml_layout(path):
    """What ggml's reader demands: data packed in info order, each tensor padded to the alignment."""
    reader = gguf.GGUFReader(path)
    expected = reader.data_offset
    for t in reader.tensors:
        assert t.data_offset == expected, f"{t.name}: offset {t.data_offset}, expected {expected}"
        alignment = int(reader.alignment)
        expected += -(-int(t.n_bytes) // alignment) * alignment
    assert os.path.getsize(path) == expected, "the last tensor must be padded too"
    return reader


def write_llama_fixture(path, blocks=4, width=256, vocab=64, seed=3, split_max_tensors=0):
    """A tiny llama-shaped F32 model written by gguf-py itself (rows fill K-quant blocks); with
    split_max_tensors, gguf-py splits it into <stem>-0000k-of-0000n.gguf shards as gguf-split does."""
    rng = np.random.default_rng(seed)
    w = gguf.GGUFWriter(str(path), "llama", split_max_tensors=split_max_tensors)
    w.add_block_count(blocks)
    w.add_context_length(128)
    w.add_embedding_length(width)
    w.add_feed_forward_length(2 * width)
    w.add_head_count(8)
    w.add_head_count_kv(2)
    w.add_tokenizer_model("llama")
    w.add_token_list([f"tok{i}" for i in range(vocab)])
    w.add_token_scores([float(-i) for i in range(vocab)])
    values = {}

    def add(name, *shape):
        values[name] = rng.uniform(-1, 1, size=shape).astype(np.float32)
        w.add_tensor(name, values[name])

    add("token_embd.weight", vocab, width)
    for b in range(blocks):
        add(f"blk.{b}.attn_norm.weight", width)
        for op in ("attn_q", "attn_output"):
            add(f"blk.{b}.{op}.weight", width, width)
        for op in ("attn_k", "attn_v"):
            add(f"blk.{b}.{op}.weight", width // 4, width)
        add(f"blk.{b}.ffn_norm.weight", width)
        add(f"blk.{b}.ffn_gate.weight", 2 * width, width)
        add(f"blk.{b}.ffn_up.weight", 2 * width, width)
        add(f"blk.{b}.ffn_down.weight", width, 2 * width)
    add("output_norm.weight", width)
    add("output.weight", vocab, width)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return values


def qscope(*args):
    result = subprocess.run([QSCOPE_BIN, *map(str, args)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def assert_metadata_kept(source, output):
    src, out = fields(gguf.GGUFReader(source)), fields(gguf.GGUFReader(output))
    for key, value in src.items():
        if key not in FILE_KEYS:
            assert out.get(key) == value, key
    assert out["general.quantization_version"] == 2


# --- no CLI needed ---------------------------------------------------------------------------

def test_sample_is_a_two_block_bert_that_gguf_py_reads():
    reader = assert_ggml_layout(SAMPLE)
    meta = fields(reader)
    assert meta["general.architecture"] == "bert"
    assert meta["bert.block_count"] == 2
    assert len(meta["tokenizer.ggml.tokens"]) == 512
    ts = tensors(reader)
    assert ts["blk.1.ffn_down.weight"].tensor_type == T.F16
    assert floats(ts["blk.1.ffn_down.weight"]).shape == (384, 1536)
    assert SAMPLE.stat().st_size < 8_000_000


def exported(name):
    if not INTEROP_DIR or not (Path(INTEROP_DIR) / name).exists():
        pytest.skip("run `QSCOPE_INTEROP_DIR=DIR swift test --filter GGUFInteropExport` first")
    return Path(INTEROP_DIR) / name


def test_swift_every_metadata_type_file():
    path = exported("swift-every-type-f16.gguf")
    reader = assert_ggml_layout(path)
    meta = fields(reader)
    assert meta["t.u8"] == 200 and meta["t.i8"] == -5 and meta["t.u16"] == 65000 and meta["t.i16"] == -300
    assert meta["t.u32"] == 4_000_000_000 and meta["t.i32"] == -7 and meta["t.f32"] == 1.5
    assert meta["t.bool"] is True and meta["t.str"] == "héllo" and meta["t.u64"] == 1 << 40
    assert meta["t.i64"] == -(1 << 40) and meta["t.f64"] == -2.25
    assert meta["t.a.str"][:2] == ["tok0", "tok1"] and len(meta["t.a.str"]) == 32000
    assert meta["t.a.i32"] == list(range(100)) and meta["t.a.bool"] == [True, False]
    assert meta["t.a.empty"] == []
    assert meta["general.file_type"] == 1
    ts = tensors(reader)
    assert ts["blk.0.attn_q.weight"].tensor_type == T.F16
    assert ts["blk.0.attn_norm.weight"].tensor_type == T.F32


def test_swift_copy_of_sample_is_byte_identical_in_data():
    path = exported("swift-sample-copy.gguf")
    out, src = tensors(assert_ggml_layout(path)), tensors(gguf.GGUFReader(SAMPLE))
    assert list(out) == list(src)
    for name, t in src.items():
        assert out[name].tensor_type == t.tensor_type
        assert np.array_equal(np.asarray(out[name].data).view(np.uint8), np.asarray(t.data).view(np.uint8)), name
    assert_metadata_kept(SAMPLE, path)


def test_swift_bf16_cast_matches_round_to_nearest_even():
    path = exported("swift-sample-bf16-align64.gguf")
    reader = assert_ggml_layout(path)
    assert reader.alignment == 64
    out, src = tensors(reader), tensors(gguf.GGUFReader(SAMPLE))
    t = out["blk.0.attn_q.weight"]
    assert t.tensor_type == T.BF16
    expected = gguf.quants.quantize(floats(src["blk.0.attn_q.weight"]), T.BF16)
    assert np.array_equal(np.asarray(t.data).view(np.uint8).reshape(expected.shape), expected)


def test_swift_q4_k_m_zero_blocks_have_the_mixture_types():
    path = exported("swift-q4km-zero-blocks.gguf")
    reader = assert_ggml_layout(path)
    assert fields(reader)["general.file_type"] == 15
    ts = tensors(reader)
    # Two blocks: use_more_bits(1, 2) is true, use_more_bits(0, 2) is not.
    assert ts["blk.0.attn_v.weight"].tensor_type == T.Q4_K
    assert ts["blk.1.attn_v.weight"].tensor_type == T.Q6_K
    assert ts["blk.1.ffn_down.weight"].tensor_type == T.Q6_K
    assert ts["output.weight"].tensor_type == T.Q6_K
    assert ts["token_embd.weight"].tensor_type == T.Q4_K
    assert ts["blk.0.attn_norm.weight"].tensor_type == T.F32
    assert not np.any(floats(ts["blk.1.ffn_down.weight"]))


@pytest.mark.skipif(not LIBGGML, reason="QSCOPE_LIBGGML is not set")
def test_ggml_c_reader_accepts_everything_we_wrote():
    import ctypes

    lib = ctypes.CDLL(LIBGGML)

    class Params(ctypes.Structure):
        _fields_ = [("no_alloc", ctypes.c_bool), ("ctx", ctypes.c_void_p)]

    lib.gguf_init_from_file.restype = ctypes.c_void_p
    lib.gguf_init_from_file.argtypes = [ctypes.c_char_p, Params]
    lib.gguf_free.argtypes = [ctypes.c_void_p]
    files = [SAMPLE] + (sorted(Path(INTEROP_DIR).glob("swift-*.gguf")) if INTEROP_DIR else [])
    for path in files:
        ctx = lib.gguf_init_from_file(str(path).encode(), Params(True, None))
        assert ctx, f"ggml rejected {path}"
        lib.gguf_free(ctx)


# --- qscope quantize ------------------------------------------------------------------------

@needs_cli
@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_scheme_round_trips_through_gguf_py(tmp_path, scheme):
    qtype, ftype, min_db = SCHEMES[scheme]
    src = tmp_path / "in.gguf"
    original = write_llama_fixture(src)
    out = tmp_path / f"out-{scheme}.gguf"
    qscope("quantize", src, "-o", out, "--scheme", scheme)
    reader = assert_ggml_layout(out)
    assert_metadata_kept(src, out)
    assert fields(reader)["general.file_type"] == ftype
    ts = tensors(reader)
    for name, values in original.items():
        t = ts[name]
        if values.ndim < 2:
            assert t.tensor_type == T.F32, name
            assert np.array_equal(floats(t), values)
            continue
        assert t.tensor_type == qtype, name
        got = floats(t)
        assert np.all(np.isfinite(got)), name
        assert sqnr_db(values, got) >= min_db, name
        if scheme in NUMPY_QUANTIZABLE:
            reference = gguf.quants.quantize(values, qtype)
            assert np.array_equal(np.asarray(t.data).reshape(reference.shape), reference), name


@needs_cli
def test_q4_k_m_preset_follows_llama_quantize_mixture(tmp_path):
    src = tmp_path / "in.gguf"
    write_llama_fixture(src, blocks=16)
    out = tmp_path / "q4km.gguf"
    qscope("quantize", src, "-o", out, "--preset", "q4_k_m")
    reader = assert_ggml_layout(out)
    assert fields(reader)["general.file_type"] == 15
    ts = tensors(reader)
    # use_more_bits(i, 16): i < 2, i >= 14, or (i - 2) % 3 == 2
    more = {i for i in range(16) if i < 2 or i >= 14 or (i - 2) % 3 == 2}
    for b in range(16):
        want = T.Q6_K if b in more else T.Q4_K
        assert ts[f"blk.{b}.attn_v.weight"].tensor_type == want, b
        assert ts[f"blk.{b}.ffn_down.weight"].tensor_type == want, b
        assert ts[f"blk.{b}.attn_q.weight"].tensor_type == T.Q4_K
        assert ts[f"blk.{b}.attn_norm.weight"].tensor_type == T.F32
    assert ts["output.weight"].tensor_type == T.Q6_K
    assert ts["token_embd.weight"].tensor_type == T.Q4_K


@needs_cli
def test_tensor_type_override_first_match_wins(tmp_path):
    src = tmp_path / "in.gguf"
    write_llama_fixture(src)
    out = tmp_path / "mixed.gguf"
    qscope("quantize", src, "-o", out, "--scheme", "q4_0",
           "--tensor-type", "attn_v=q8_0", "--tensor-type", "attn=q5_0")
    ts = tensors(assert_ggml_layout(out))
    assert ts["blk.0.attn_v.weight"].tensor_type == T.Q8_0
    assert ts["blk.0.attn_q.weight"].tensor_type == T.Q5_0
    assert ts["blk.0.ffn_up.weight"].tensor_type == T.Q4_0


@needs_cli
def test_sample_preset_falls_back_for_384_wide_rows(tmp_path):
    out = tmp_path / "sample-q4km.gguf"
    qscope("quantize", SAMPLE, "-o", out, "--preset", "q4_k_m")
    ts = tensors(assert_ggml_layout(out))
    assert ts["blk.0.attn_q.weight"].tensor_type == T.Q5_0    # Q4_K does not fit 384
    assert ts["blk.1.attn_v.weight"].tensor_type == T.Q8_0    # Q6_K does not fit 384
    assert ts["blk.1.ffn_down.weight"].tensor_type == T.Q6_K  # rows of 1536 fit
    assert ts["position_embd.weight"].tensor_type == T.F16    # never quantized
    assert_metadata_kept(SAMPLE, out)


@needs_cli
def test_inspect_json_matches_gguf_py(tmp_path):
    report = json.loads(qscope("inspect", SAMPLE, "--format", "json").stdout)
    assert report["format"] == "gguf"
    ours = {t["name"]: t for t in report["tensors"]}
    for t in gguf.GGUFReader(SAMPLE).tensors:
        assert ours[t.name]["dtype"] == t.tensor_type.name
        assert ours[t.name]["shape"] == list(reversed(t.shape.tolist()))
        assert ours[t.name]["bytes"] == int(t.n_bytes)


@needs_cli
@pytest.mark.skipif(not DEQUANT_CMD, reason="QSCOPE_DEQUANT_CMD is not set")
@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_our_dequantization_equals_gguf_py_bit_for_bit(tmp_path, scheme):
    src = tmp_path / "in.gguf"
    write_llama_fixture(src, blocks=1)
    out = tmp_path / "q.gguf"
    qscope("quantize", src, "-o", out, "--scheme", scheme)
    for t in gguf.GGUFReader(out).tensors:
        if len(t.shape) < 2:
            continue
        dump = tmp_path / f"{t.name}.npy"
        cmd = DEQUANT_CMD.format(file=shlex.quote(str(out)), tensor=shlex.quote(t.name), out=shlex.quote(str(dump)))
        subprocess.run(cmd, shell=True, check=True)
        ours = np.load(dump).astype(np.float32)
        assert np.array_equal(ours.view(np.uint32), floats(t).view(np.uint32)), t.name


# --- read-only types: i-quants, ternary, MXFP4 ------------------------------------------------

# Types gguf-py dequantizes but nothing here writes, with where each block keeps its fp16 scale.
DECODE_ONLY = {
    T.IQ2_XXS: [0], T.IQ2_XS: [0], T.IQ2_S: [0], T.IQ3_XXS: [0], T.IQ3_S: [0], T.IQ1_S: [0],
    T.IQ1_M: [], T.IQ4_NL: [0], T.IQ4_XS: [0], T.TQ1_0: [52], T.TQ2_0: [64], T.MXFP4: [], T.NVFP4: [],
}


def random_blocks(qtype, n_blocks, rng):
    """Random block bytes with finite, modest scales (so both sides compare real values, not NaNs)."""
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, (n_blocks, size), dtype=np.uint8)
    d = (rng.standard_normal(n_blocks) * 0.02).astype(np.float16)
    for off in DECODE_ONLY[qtype]:
        raw[:, off:off + 2] = d.view(np.uint8).reshape(n_blocks, 2)
    if qtype == T.IQ1_M:  # the fp16 scale sits in the top nibbles of four u16 words at byte 48
        words = raw[:, 48:56].copy().view("<u2")
        bits = d.view(np.uint16).reshape(n_blocks, 1)
        words[:] = (words & 0x0FFF) | (((bits >> np.array([0, 4, 8, 12], dtype=np.uint16)) & 0xF) << 12)
        raw[:, 48:56] = words.view(np.uint8)
    if qtype == T.MXFP4:
        raw[:, 0] = rng.integers(110, 135, n_blocks)
    return raw


def write_decode_only_fixture(path, rows=3, blocks_per_row=4, seed=11):
    """One tensor per read-only type, random blocks, written by gguf-py's GGUFWriter."""
    rng = np.random.default_rng(seed)
    w = gguf.GGUFWriter(str(path), "llama")
    for qtype in DECODE_ONLY:
        raw = random_blocks(qtype, rows * blocks_per_row, rng)
        w.add_tensor(f"blk.0.{qtype.name.lower()}.weight", raw.reshape(rows, -1), raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


@needs_cli
@pytest.mark.skipif(not DEQUANT_CMD, reason="QSCOPE_DEQUANT_CMD is not set")
def test_read_only_types_dequantize_like_gguf_py_bit_for_bit(tmp_path):
    src = tmp_path / "iq.gguf"
    write_decode_only_fixture(src)
    reader = gguf.GGUFReader(src)
    assert {t.tensor_type for t in reader.tensors} == set(DECODE_ONLY)
    for t in reader.tensors:
        dump = tmp_path / f"{t.name}.npy"
        cmd = DEQUANT_CMD.format(file=shlex.quote(str(src)), tensor=shlex.quote(t.name), out=shlex.quote(str(dump)))
        subprocess.run(cmd, shell=True, check=True)
        ours = np.load(dump).astype(np.float32)
        theirs = floats(t)
        assert ours.shape == theirs.shape, t.name
        assert np.isfinite(theirs).all() and np.any(theirs != 0), t.name
        assert np.array_equal(ours.view(np.uint32), theirs.view(np.uint32)), t.name


@needs_cli
def test_inspect_reports_stats_and_errors_for_read_only_types(tmp_path):
    src = tmp_path / "iq.gguf"
    write_decode_only_fixture(src)
    report = json.loads(qscope("inspect", src, "--format", "json", "--bins", "8", "--scheme", "q8_0").stdout)
    ours = {t["name"]: t for t in report["tensors"]}
    for t in gguf.GGUFReader(src).tensors:
        values = floats(t).astype(np.float64)
        entry = ours[t.name]
        assert entry["dtype"] == t.tensor_type.name
        stats = entry["stats"]
        assert stats["min"] == pytest.approx(values.min(), rel=1e-6, abs=1e-12), t.name
        assert stats["max"] == pytest.approx(values.max(), rel=1e-6, abs=1e-12), t.name
        assert stats["mean"] == pytest.approx(values.mean(), rel=1e-4, abs=1e-9), t.name
        assert stats["zeros"] == int(np.count_nonzero(values == 0)), t.name
        assert sum(entry["histogram"]["counts"]) == values.size, t.name
        # Re-quantizing what the file holds to a writable scheme gives a finite error.
        assert entry["quant"]["scheme"] == "q8_0"
        assert entry["quant"]["sqnr_db"] > 20, t.name


# --- split models (gguf-split / GGUFWriter(split_max_tensors=…)) --------------------------------

def write_split_fixture(tmp_path):
    values = write_llama_fixture(tmp_path / "tiny.gguf", blocks=2, split_max_tensors=6)
    shards = sorted(tmp_path.glob("tiny-*-of-*.gguf"))
    assert len(shards) > 2 and shards[0].name == f"tiny-00001-of-{len(shards):05d}.gguf"
    assert gguf.GGUFReader(shards[1]).fields["split.no"].contents() == 1
    return values, shards


@needs_cli
def test_split_model_inspects_as_one(tmp_path):
    values, shards = write_split_fixture(tmp_path)
    report = json.loads(qscope("inspect", shards[0], "--format", "json").stdout)
    ours = [t["name"] for t in report["tensors"]]
    theirs = [t.name for shard in shards for t in gguf.GGUFReader(shard).tensors]
    assert ours == theirs and sorted(ours) == sorted(values)
    assert report["file_bytes"] == sum(os.path.getsize(s) for s in shards)
    by_name = {t["name"]: t for t in report["tensors"]}
    for name, x in values.items():
        assert by_name[name]["shape"] == list(x.shape)
        assert by_name[name]["stats"]["max"] == pytest.approx(float(x.max()), rel=1e-6)


@needs_cli
def test_split_model_missing_shard_is_named(tmp_path):
    _, shards = write_split_fixture(tmp_path)
    shards[-1].unlink()
    result = subprocess.run([QSCOPE_BIN, "inspect", str(shards[0])], capture_output=True, text=True)
    assert result.returncode == 1
    assert shards[-1].name in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@needs_cli
def test_split_model_quantizes_to_one_file(tmp_path):
    values, shards = write_split_fixture(tmp_path)
    out = tmp_path / "joined-q8_0.gguf"
    qscope("quantize", shards[0], "-o", out, "--scheme", "q8_0")
    reader = assert_ggml_layout(out)
    meta = fields(reader)
    assert not any(k.startswith("split.") for k in meta)
    assert meta["general.architecture"] == "llama" and meta["llama.block_count"] == 2
    got = tensors(reader)
    assert sorted(got) == sorted(values)
    for name, x in values.items():
        t = got[name]
        if t.tensor_type == T.Q8_0:
            expected = np.ascontiguousarray(gguf.quants.quantize(x, T.Q8_0)).view(np.uint8).reshape(-1)
            assert np.array_equal(np.asarray(t.data).reshape(-1), expected), name
        else:
            assert np.array_equal(floats(t), x), name


@needs_cli
def test_keep_split_writes_the_same_shards(tmp_path):
    """llama-quantize --keep-split: one output shard per input shard, each loadable by gguf-py,
    the first with all metadata, every one with split.no / split.count / split.tensors.count."""
    values, shards = write_split_fixture(tmp_path)
    out = tmp_path / "out.gguf"
    result = qscope("quantize", shards[0], "-o", out, "--scheme", "q8_0", "--keep-split")
    written = sorted(tmp_path.glob("out-*-of-*.gguf"))
    assert [p.name for p in written] == [f"out-{i:05d}-of-{len(shards):05d}.gguf" for i in range(1, len(shards) + 1)]
    assert not out.exists() and f"({len(shards)} shards)" in result.stdout
    for index, (source, path) in enumerate(zip(shards, written)):
        reader = assert_ggml_layout(path)
        meta = fields(reader)
        assert meta["split.no"] == index and meta["split.count"] == len(shards)
        assert meta["split.tensors.count"] == len(values)
        if index == 0:
            assert meta["general.architecture"] == "llama" and meta["llama.block_count"] == 2
        else:
            assert set(meta) == {"split.no", "split.count", "split.tensors.count"}
        assert [t.name for t in reader.tensors] == [t.name for t in gguf.GGUFReader(source).tensors]
        for t in reader.tensors:
            x = values[t.name]
            if t.tensor_type == T.Q8_0:
                expected = np.ascontiguousarray(gguf.quants.quantize(x, T.Q8_0)).view(np.uint8).reshape(-1)
                assert np.array_equal(np.asarray(t.data).reshape(-1), expected), t.name
            else:
                assert np.array_equal(floats(t), x), t.name
    # The shards open again as one model.
    report = json.loads(qscope("inspect", written[0], "--format", "json").stdout)
    assert sorted(t["name"] for t in report["tensors"]) == sorted(values)


@needs_cli
def test_split_max_tensors_writes_gguf_split_shards(tmp_path):
    """gguf-split's --split-max-tensors on the output: shards of at most N tensors in order, split
    keys as gguf-split writes them, each loadable by gguf-py, together the whole model."""
    src = tmp_path / "tiny.gguf"
    values = write_llama_fixture(src, blocks=2)
    out = tmp_path / "out.gguf"
    qscope("quantize", src, "-o", out, "--scheme", "q8_0", "--split-max-tensors", "5")
    written = sorted(tmp_path.glob("out-*-of-*.gguf"))
    count = -(-len(values) // 5)
    assert len(written) == count
    names = []
    for index, path in enumerate(written):
        reader = assert_ggml_layout(path)
        meta = fields(reader)
        assert meta["split.no"] == index and meta["split.count"] == count and meta["split.tensors.count"] == len(values)
        assert len(reader.tensors) == (5 if index < count - 1 else len(values) - 5 * (count - 1))
        names += [t.name for t in reader.tensors]
        for t in reader.tensors:
            if t.tensor_type == T.Q8_0:
                expected = np.ascontiguousarray(gguf.quants.quantize(values[t.name], T.Q8_0)).view(np.uint8).reshape(-1)
                assert np.array_equal(np.asarray(t.data).reshape(-1), expected), t.name
    assert names == [t.name for t in gguf.GGUFReader(src).tensors]


# --- importance matrix in inspect ------------------------------------------------------------

@needs_cli
def test_inspect_imatrix_reports_per_tensor_importance(tmp_path):
    src = tmp_path / "in.gguf"
    values = write_llama_fixture(src, blocks=1)
    rng = np.random.default_rng(9)
    im = tmp_path / "imatrix.gguf"
    w = gguf.GGUFWriter(str(im), "llama")
    w.add_type("imatrix")
    w.add_uint32("imatrix.chunk_count", 4)
    w.add_uint32("imatrix.chunk_size", 512)
    expected = {}
    for name, count in (("blk.0.attn_q.weight", 7.0), ("blk.0.ffn_down.weight", 3.0)):
        cols = values[name].shape[-1]
        sums = rng.uniform(0, 5, cols).astype(np.float32)
        sums[3] = np.float32(400)  # one dominant column
        w.add_tensor(name + ".in_sum2", sums.reshape(1, cols))
        w.add_tensor(name + ".counts", np.array([count], dtype=np.float32))
        expected[name] = sums / np.float32(count)  # llama.cpp divides by the tokens seen, in float32
    w.add_tensor("blk.0.attn_k.weight.in_sum2", np.ones((1, 7), dtype=np.float32))  # wrong length
    w.add_tensor("blk.0.attn_k.weight.counts", np.ones(1, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    report = json.loads(qscope("inspect", src, "--imatrix", im, "--format", "json", "--scheme", "q4_k").stdout)
    ours = {t["name"]: t for t in report["tensors"]}
    for name, imp in expected.items():
        got = ours[name]["importance"]
        mean = float(imp.astype(np.float64).mean())
        assert got["columns"] == imp.size
        assert got["mean"] == pytest.approx(mean, rel=1e-9)
        assert got["max"] == pytest.approx(float(imp.max()), rel=1e-7)
        assert got["peak_ratio"] == pytest.approx(float(imp.max()) / mean, rel=1e-7)
        assert "weighted_sqnr_db" in ours[name]["quant"], name
    assert "importance" not in ours["blk.0.attn_v.weight"]
    assert ours["blk.0.attn_k.weight"]["importance"]["columns"] == 7
    assert "7 values" in ours["blk.0.attn_k.weight"]["note"]
    table = qscope("inspect", src, "--imatrix", im).stdout
    assert "imp_mean" in table and "imp_peak" in table

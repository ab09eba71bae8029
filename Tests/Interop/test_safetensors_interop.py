"""Interop: files written by `qscope quantize` load with the safetensors library, and their
compressed-tensors weights decode (per the spec, see compressed_tensors_ref.py) to within each
scheme's error of the original.

Skipped unless QSCOPE_BIN points at a built qscope binary.
"""

import json
import os
import struct
import subprocess

import numpy as np
import pytest
from safetensors import safe_open

import compressed_tensors_ref as ref

QSCOPE_BIN = os.environ.get("QSCOPE_BIN")
pytestmark = pytest.mark.skipif(not QSCOPE_BIN, reason="QSCOPE_BIN is not set")

# scheme -> (bits, strategy, group size, symmetric); None for float casts.
SCHEMES = {
    "f16": None,
    "bf16": None,
    "int8": (8, "channel", None, True),
    "int4": (4, "channel", None, True),
    "int4-g32": (4, "group", 32, True),
    "int4-g128": (4, "group", 128, True),
    "int8-asym": (8, "tensor", None, False),
}
# Lower bounds on SQNR for uniform random weights (about 48 dB for int8, 23 dB for int4).
MIN_SQNR_DB = {8: 40.0, 4: 18.0}
CONFIG = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 256,
          "torch_dtype": "float32"}


def bf16_bits(x):
    """float32 -> bfloat16 bits, round to nearest even (NaN-free input)."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def model_tensors():
    """A tiny Llama-style state dict: name -> (safetensors dtype, float32 values)."""
    rng = np.random.default_rng(7)

    def w(*shape):
        return rng.uniform(-1, 1, size=shape).astype(np.float32)

    def bf16(values):  # the values a BF16 file really holds
        return ref.to_float32("BF16", list(values.shape), bf16_bits(values).tobytes())

    return {
        "model.embed_tokens.weight": ("F32", w(100, 256)),
        "model.layers.0.input_layernorm.weight": ("F32", 1 + 0.1 * w(256)),
        "model.layers.0.self_attn.q_proj.weight": ("F32", w(64, 256)),
        "model.layers.0.self_attn.q_proj.bias": ("F32", w(64)),
        "model.layers.0.self_attn.o_proj.weight": ("F16", w(256, 64).astype(np.float16).astype(np.float32)),
        "model.layers.0.mlp.gate_proj.weight": ("BF16", bf16(w(96, 256))),
        "model.layers.0.mlp.down_proj.weight": ("F32", w(48, 200)),
        "model.norm.weight": ("F32", 1 + 0.1 * w(256)),
        "lm_head.weight": ("F32", w(100, 256)),
    }


def write_safetensors(path, tensors, metadata):
    """A reference-style writer that also handles BF16 (safetensors.numpy cannot)."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, (dtype, values) in tensors.items():
        if dtype == "BF16":
            raw = bf16_bits(values).tobytes()
        else:
            raw = values.astype(ref.DTYPES[dtype][0]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(values.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("source")
    tensors = model_tensors()
    path = folder / "model.safetensors"
    write_safetensors(path, tensors, {"format": "pt"})
    (folder / "config.json").write_text(json.dumps(CONFIG, indent=2))
    return path, tensors


def sqnr_db(x, xhat):
    noise = np.sum((x.astype(np.float64) - xhat) ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(np.sum(x.astype(np.float64) ** 2) / noise)


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_quantize_output_loads_and_decodes(scheme, source, tmp_path):
    src_path, originals = source
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out_path = out_dir / "model.safetensors"
    run = subprocess.run([QSCOPE_BIN, "quantize", str(src_path), "-o", str(out_path), "--scheme", scheme],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr

    # The safetensors library itself accepts the file (header, offsets, coverage).
    with safe_open(str(out_path), framework="np") as f:
        assert f.metadata() == {"format": "pt"}
        names = set(f.keys())
        for name in names:
            if f.get_slice(name).get_dtype() not in ("BF16",):
                f.get_tensor(name)

    _, header_len, written = ref.read_safetensors(out_path)
    assert (8 + header_len) % 8 == 0
    _, _, source_raw = ref.read_safetensors(src_path)
    config_path = out_dir / "config.json"
    qconfig = json.loads(config_path.read_text()).get("quantization_config") if config_path.exists() else None

    spec = SCHEMES[scheme]
    packed = ref.packed_modules(written)
    changed = 0
    for name, (dtype, values) in originals.items():
        if name in written:
            out_dtype, shape, raw = written[name]
            assert shape == list(values.shape), name
            if raw == source_raw[name][2]:
                continue  # unchanged, byte for byte
            changed += 1
            assert spec is None, f"{name} changed under {scheme} but is not packed"
            xhat = ref.to_float32(out_dtype, shape, raw)
            if scheme == "f16":
                assert out_dtype == "F16"
                np.testing.assert_array_equal(xhat, values.astype(np.float16).astype(np.float32), err_msg=name)
            else:
                assert out_dtype == "BF16"
                np.testing.assert_array_equal(ref.to_float32("BF16", shape, bf16_bits(values).tobytes()), xhat, err_msg=name)
            continue
        module = name[: -len(".weight")]
        assert spec is not None and name.endswith(".weight") and module in packed, f"{name} is missing from the output"
        changed += 1
        bits, strategy, group_size, symmetric = spec
        xhat, scale, q, zp = ref.decompress(written, module, bits, strategy, group_size)
        assert xhat.shape == values.shape
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        assert q.min() >= lo and q.max() <= hi
        err = np.abs(values.astype(np.float64) - xhat)
        # Rounding costs at most half a step; an asymmetric zero point may add up to another half at the ends.
        bound = scale * (0.5 if symmetric else 1.0) * (1 + 1e-5) + 1e-7
        assert np.all(err <= bound), f"{name}: max error {err.max()} above bound"
        assert sqnr_db(values, xhat) >= MIN_SQNR_DB[bits], name
        scale_shape = written[module + ".weight_scale"][1]
        out, inp = values.shape
        expected_scale = {"tensor": [1], "channel": [out, 1]}.get(strategy, [out, -(-inp // (group_size or 1))])
        assert scale_shape == expected_scale, module
        assert (module + ".weight_zero_point" in written) == (not symmetric), module

    assert changed > 0, f"{scheme} changed no tensor"
    for name in ("model.layers.0.input_layernorm.weight", "model.norm.weight", "model.layers.0.self_attn.q_proj.bias"):
        assert written[name][2] == source_raw[name][2], f"{name} should be unchanged"

    if spec is None:
        assert not packed
        assert qconfig is None
        return
    assert packed, f"{scheme} packed nothing"
    check_quantization_config(qconfig, packed, spec)


def check_quantization_config(qconfig, packed, spec):
    bits, strategy, group_size, symmetric = spec
    assert qconfig is not None, "config.json with quantization_config is missing"
    assert qconfig["quant_method"] == "compressed-tensors"
    assert qconfig["format"] == "pack-quantized"
    targeted = []
    for group in qconfig["config_groups"].values():
        assert group["format"] == "pack-quantized"
        weights = group["weights"]
        assert weights["num_bits"] == bits and weights["type"] == "int"
        assert weights["strategy"] == strategy and weights["symmetric"] == symmetric
        assert weights["group_size"] == group_size
        targeted += group["targets"]
    assert sorted(targeted) == packed
    assert not set(qconfig.get("ignore", [])) & set(packed)

"""A small numpy decoder for safetensors files and compressed-tensors `pack-quantized` weights.

Written from the format description (formats-gguf-safetensors.md, sections 5 and 6), independent of
QuantScope's Swift code, so the interop tests check our files against the spec rather than against
ourselves. It needs only numpy: BF16 and the packed int32 words are decoded by hand.

pack-quantized, for a Linear module P with weight [out, in] quantized to b bits:
  P.weight_packed      I32 [out, ceil(in*b/32)]  values q + 2^(b-1), element i of a row at bits
                                                 [i*b, i*b+b) of the row's little-endian bit stream
  P.weight_scale       float [1] | [out, 1] | [out, groups]
  P.weight_zero_point  only when asymmetric: I32 packed along dim 0 [ceil(out*b/32), groups] for
                       channel/group strategies, a plain integer tensor for the tensor strategy
  P.weight_shape       I64 [2] = [out, in]
  dequantized weight = (q - zero_point) * scale
"""

import json
import struct

import numpy as np

DTYPES = {
    "F64": ("<f8", 8), "F32": ("<f4", 4), "F16": ("<f2", 2), "BF16": ("<u2", 2),
    "I64": ("<i8", 8), "I32": ("<i4", 4), "I16": ("<i2", 2), "I8": ("i1", 1),
    "U64": ("<u8", 8), "U32": ("<u4", 4), "U16": ("<u2", 2), "U8": ("u1", 1), "BOOL": ("u1", 1),
}


def read_safetensors(path):
    """Returns (metadata, header_length, {name: (dtype, shape, raw bytes)}), header in file order."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    start = 8 + n
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        tensors[name] = (info["dtype"], list(info["shape"]), data[start + begin:start + end])
    return metadata, n, tensors


def to_array(dtype, shape, raw):
    """Decodes raw bytes to a numpy array; BF16 becomes float32 (exactly)."""
    np_dtype, _ = DTYPES[dtype]
    values = np.frombuffer(raw, dtype=np_dtype)
    if dtype == "BF16":
        values = (values.astype(np.uint32) << 16).view(np.float32)
    return values.reshape(shape)


def to_float32(dtype, shape, raw):
    return to_array(dtype, shape, raw).astype(np.float32)


def unpack_rows(words, count, bits):
    """[rows, words] int32 -> [rows, count] signed ints, packed along the last axis."""
    words = np.ascontiguousarray(words).view(np.uint32)
    per_word = 32 // bits
    mask = (1 << bits) - 1
    shifts = (np.arange(per_word, dtype=np.uint32) * bits)
    fields = (words[:, :, None] >> shifts[None, None, :]) & mask  # [rows, words, per_word]
    flat = fields.reshape(words.shape[0], -1)[:, :count].astype(np.int64)
    return flat - (1 << (bits - 1))


def unpack_dim0(words, rows, bits):
    """[ceil(rows*bits/32), cols] int32 -> [rows, cols] signed ints, packed along dim 0."""
    return unpack_rows(np.ascontiguousarray(words.T), rows, bits).T


def packed_modules(names):
    """Module names P that have a P.weight_packed tensor."""
    suffix = ".weight_packed"
    return sorted(n[: -len(suffix)] for n in names if n.endswith(suffix))


def expand_scales(scale, out, inp, group_size=None):
    """Broadcasts a [1] / [out, 1] / [out, groups] scale (or zero point) to [out, in]."""
    scale = np.asarray(scale)
    if scale.size == 1:
        return np.full((out, inp), scale.reshape(-1)[0], dtype=scale.dtype)
    if scale.ndim == 2 and scale.shape[1] == 1:
        return np.repeat(scale, inp, axis=1)
    groups = scale.shape[1]
    size = group_size or -(-inp // groups)
    return np.repeat(scale, size, axis=1)[:, :inp]


def decompress(tensors, module, bits, strategy=None, group_size=None):
    """Dequantizes module P from `tensors` ({name: (dtype, shape, raw)}).

    Returns (weight float64 [out, in], scale broadcast [out, in], q [out, in], zp broadcast [out, in]).
    """
    _, _, shape_raw = tensors[module + ".weight_shape"]
    out, inp = (int(v) for v in np.frombuffer(shape_raw, dtype="<i8"))
    dtype, shape, raw = tensors[module + ".weight_packed"]
    assert dtype == "I32", f"{module}.weight_packed is {dtype}, expected I32"
    assert shape == [out, -(-inp * bits // 32)], f"{module}.weight_packed shape {shape}"
    q = unpack_rows(to_array(dtype, shape, raw), inp, bits)
    sdtype, sshape, sraw = tensors[module + ".weight_scale"]
    scale = to_array(sdtype, sshape, sraw).astype(np.float64)
    scale_full = expand_scales(scale, out, inp, group_size)
    zp_full = np.zeros((out, inp), dtype=np.int64)
    if module + ".weight_zero_point" in tensors:
        zdtype, zshape, zraw = tensors[module + ".weight_zero_point"]
        zp = to_array(zdtype, zshape, zraw).astype(np.int64)
        if strategy in ("channel", "group") or (zdtype == "I32" and zp.size > 1):
            zp = unpack_dim0(to_array(zdtype, zshape, zraw), out, bits)
        zp_full = expand_scales(zp, out, inp, group_size)
    weight = (q - zp_full).astype(np.float64) * scale_full
    return weight, scale_full, q, zp_full

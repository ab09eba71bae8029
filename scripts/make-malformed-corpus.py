#!/usr/bin/env python3
"""Writes the malformed-file corpus under Tests/ModelFormatsTests/Fixtures/malformed/.

Each file is a small valid model (built here byte by byte, or a checked-in TFLite fixture) with one
defect: a cut at a structural boundary, a flipped header bit, a lying count or size, a huge
dimension, a bad offset, a cyclic or deep FlatBuffer reference, or a duplicate name. The expected
error for each file is kept in expected.tsv (written by the Swift test with QSCOPE_RECORD_MALFORMED=1
and reviewed by hand), so this script only makes the bytes. Standard library only.
"""
import json
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ModelFormatsTests", "Fixtures", "malformed")
TFLITE = os.path.join(ROOT, "Tests", "ModelFormatsTests", "Fixtures", "tflite", "conv.tflite")


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes(data))


# ---------- safetensors ----------

def st_file(entries, payload, pad=True):
    text = json.dumps(entries, separators=(",", ":"))
    if pad:
        text += " " * (-len(text) % 8)
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw + payload


def st_valid():
    entries = {
        "__metadata__": {"format": "pt"},
        "a.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
        "a.bias": {"dtype": "F16", "shape": [2], "data_offsets": [16, 20]},
    }
    return entries, bytes(range(20))


def safetensors():
    entries, payload = st_valid()
    good = st_file(entries, payload)
    header_len = struct.unpack("<Q", good[:8])[0]
    # Cuts: inside the length, right after it, inside the JSON, at the JSON's end, inside the data.
    for cut in (0, 4, 8, 8 + header_len // 2, 8 + header_len, 8 + header_len + 10, len(good) - 1):
        write(f"st-cut-{cut}.safetensors", good[:cut])
    # Bit flips in the header length: the high bit (huge), and a low bit (points inside the JSON).
    flipped = bytearray(good); flipped[7] ^= 0x80; write("st-flip-length-high.safetensors", flipped)
    flipped = bytearray(good); flipped[0] ^= 0x01; write("st-flip-length-low.safetensors", flipped)
    flipped = bytearray(good); flipped[8] ^= 0x20; write("st-flip-open-brace.safetensors", flipped)

    def variant(name, change, data=payload):
        e = json.loads(json.dumps(entries)); change(e); write(name, st_file(e, data))

    variant("st-lying-end.safetensors", lambda e: e["a.bias"].update(data_offsets=[16, 24]))
    variant("st-huge-dims.safetensors", lambda e: e["a.weight"].update(shape=[2**62, 2**62]))
    variant("st-overflow-elements.safetensors", lambda e: e["a.weight"].update(shape=[2**40, 2**40, 2**40]))
    variant("st-negative-offset.safetensors", lambda e: e["a.weight"].update(data_offsets=[-16, 0]))
    variant("st-negative-dim.safetensors", lambda e: e["a.weight"].update(shape=[-2, -2]))
    variant("st-overlap.safetensors", lambda e: e["a.bias"].update(data_offsets=[12, 16]))
    variant("st-end-before-begin.safetensors", lambda e: e["a.bias"].update(data_offsets=[20, 16]))
    variant("st-offset-past-2-63.safetensors", lambda e: e["a.bias"].update(data_offsets=[16, 2**63 + 4]))
    variant("st-gap.safetensors", lambda e: e["a.bias"].update(data_offsets=[18, 22]), payload + b"\0\0")
    variant("st-trailing-bytes.safetensors", lambda e: None, payload + b"\0" * 8)
    variant("st-unknown-dtype.safetensors", lambda e: e["a.bias"].update(dtype="F17"))
    variant("st-missing-offsets.safetensors", lambda e: e["a.bias"].pop("data_offsets"))
    # Duplicate names cannot be written through a dict: splice the JSON text.
    text = '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}'
    write("st-duplicate-name.safetensors", struct.pack("<Q", len(text)) + text.encode() + b"\1\2")
    deep = '{"__metadata__":' + "[" * 5000 + "]" * 5000 + "}"
    write("st-deep-json.safetensors", struct.pack("<Q", len(deep)) + deep.encode())
    # A header that claims 2^40 tensors' worth of JSON: the length is checked before any read.
    write("st-lying-header-length.safetensors", struct.pack("<Q", 99_999_999) + b"{}")


# ---------- GGUF ----------

def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_file(kvs, tensors, alignment=32, version=3, counts=None):
    """kvs: list of (key, type, packed value); tensors: list of (name, dims, type, offset, data)."""
    body = b"".join(gguf_string(k) + struct.pack("<I", t) + v for k, t, v in kvs)
    infos = b"".join(gguf_string(n) + struct.pack("<I", len(d)) + b"".join(struct.pack("<Q", x) for x in d)
                     + struct.pack("<IQ", ty, off) for n, d, ty, off, _ in tensors)
    tc, kc = counts if counts else (len(tensors), len(kvs))
    head = b"GGUF" + struct.pack("<IQQ", version, tc, kc) + body + infos
    head += b"\0" * (-len(head) % alignment)
    data = b""
    for _, _, _, off, blob in tensors:
        if blob:
            data += b"\0" * (off - len(data)) + blob
    return head, data


def gguf_valid_parts():
    kvs = [("general.architecture", 8, gguf_string("llama")), ("general.alignment", 4, struct.pack("<I", 32))]
    tensors = [("a.weight", [4, 2], 0, 0, bytes(32)), ("a.bias", [4], 0, 32, bytes(16))]
    return kvs, tensors


def gguf():
    kvs, tensors = gguf_valid_parts()
    head, data = gguf_file(kvs, tensors)
    good = head + data
    # Cuts: magic, version, counts, inside a key, inside the tensor infos, at the data, inside the data.
    key_end = 24 + 8 + len("general.architecture")
    info_start = len(b"GGUF") + 20 + sum(len(gguf_string(k)) + 4 + len(v) for k, _, v in kvs)
    for cut in (2, 4, 8, 16, 24, key_end - 3, info_start + 5, len(head), len(good) - 1):
        write(f"gguf-cut-{cut}.gguf", good[:cut])
    flipped = bytearray(good); flipped[0] ^= 0x01; write("gguf-flip-magic.gguf", flipped)
    flipped = bytearray(good); flipped[4] ^= 0x04; write("gguf-flip-version.gguf", flipped)
    flipped = bytearray(good); flipped[15] ^= 0x80; write("gguf-flip-tensor-count-high.gguf", flipped)
    h, d = gguf_file(kvs, tensors, counts=(2**40, 2)); write("gguf-lying-tensor-count.gguf", h + d)
    h, d = gguf_file(kvs, tensors, counts=(2, 2**40)); write("gguf-lying-kv-count.gguf", h + d)
    lying_string = [("general.architecture", 8, struct.pack("<Q", 2**62) + b"llama")]
    h, d = gguf_file(lying_string, tensors); write("gguf-lying-string-length.gguf", h + d)
    lying_array = [("tokenizer.ggml.scores", 9, struct.pack("<IQ", 6, 2**40))]
    h, d = gguf_file(lying_array, tensors); write("gguf-lying-array-count.gguf", h + d)
    t = [("a.weight", [2**62, 2**62], 0, 0, bytes(32)), tensors[1]]
    h, d = gguf_file(kvs, t); write("gguf-huge-dims.gguf", h + d)
    t = [("a.weight", [4, 2], 0, 0, bytes(32)), ("a.bias", [4], 0, 2**63 - 32, b"")]
    h, d = gguf_file(kvs, t); write("gguf-offset-past-end.gguf", h + d)
    t = [("a.weight", [4, 2], 0, 0, bytes(32)), ("a.bias", [4], 0, 0, b"")]
    h, d = gguf_file(kvs, t); write("gguf-overlap.gguf", h + d + bytes(16))
    t = [("a.weight", [4, 2], 0, 0, bytes(32)), ("a.weight", [4], 0, 32, bytes(16))]
    h, d = gguf_file(kvs, t); write("gguf-duplicate-name.gguf", h + d)
    dup = kvs + [("general.architecture", 8, gguf_string("gpt2"))]
    h, d = gguf_file(dup, tensors); write("gguf-duplicate-key.gguf", h + d)
    t = [("a.weight", [4, 2, 1, 1, 1], 0, 0, bytes(32)), tensors[1]]
    h, d = gguf_file(kvs, t); write("gguf-too-many-dims.gguf", h + d)
    t = [("a.weight", [4, 2], 99, 0, bytes(32)), tensors[1]]
    h, d = gguf_file(kvs, t); write("gguf-unknown-type.gguf", h + d)
    bad_align = [kvs[0], ("general.alignment", 4, struct.pack("<I", 0))]
    h, d = gguf_file(bad_align, tensors); write("gguf-zero-alignment.gguf", h + d)


# ---------- TFLite / FlatBuffers ----------

def tflite():
    with open(TFLITE, "rb") as f:
        good = f.read()
    root = struct.unpack_from("<I", good, 0)[0]
    vtable = root - struct.unpack_from("<i", good, root)[0]
    vsize, isize = struct.unpack_from("<HH", good, vtable)
    # Cuts: inside the root offset, before/after the identifier, inside the root table and its
    # vtable, halfway, and one byte short.
    for cut in sorted({2, 4, 7, 8, root + 2, vtable + 2, len(good) // 2, len(good) - 1}):
        write(f"tfl-cut-{cut}.tflite", good[:cut])
    def patched(name, offset, fmt, value):
        b = bytearray(good); struct.pack_into(fmt, b, offset, value); write(name, b)
    patched("tfl-flip-identifier.tflite", 6, "<B", good[6] ^ 0x01)
    patched("tfl-root-offset-past-end.tflite", 0, "<I", len(good) + 64)
    patched("tfl-root-offset-zero.tflite", 0, "<I", 0)
    patched("tfl-root-misaligned.tflite", 0, "<I", root + 1)
    patched("tfl-vtable-negative.tflite", root, "<i", -(2**31 - 1))
    patched("tfl-vtable-past-end.tflite", root, "<i", root - len(good) - 8)
    patched("tfl-vtable-odd-size.tflite", vtable, "<H", vsize | 1)
    patched("tfl-inline-size-huge.tflite", vtable + 2, "<H", 0xFFFF)
    # Model.subgraphs (field 2): make the vector's length lie, and point its offset at itself.
    field = struct.unpack_from("<H", good, vtable + 4 + 2 * 2)[0]
    slot = root + field
    vec = slot + struct.unpack_from("<I", good, slot)[0]
    patched("tfl-subgraphs-count-lies.tflite", vec, "<I", 2**30)
    patched("tfl-subgraphs-count-max.tflite", vec, "<I", 0xFFFFFFFF)
    # The vector's first element points back at the root table: a cycle Model → SubGraph(=Model).
    b = bytearray(good); struct.pack_into("<I", b, vec, 1); struct.pack_into("<I", b, vec + 4, (root - (vec + 4)) % 2**32)
    write("tfl-subgraph-cycle-to-root.tflite", b)
    write("tfl-empty.tflite", b"")
    write("tfl-header-only.tflite", struct.pack("<I", 8) + b"TFL3")


def flatbuffer_deep():
    """A TFLite header whose root table's subgraph points to a table whose only field loops back
    to itself: every level is a new decode, so only the depth limit stops it."""
    # Layout: [root uoffset][TFL3][vtable][table: soffset, uoffset to subgraph vector]...
    # Built with every Model/SubGraph/Operator nesting as a self-referencing operator-code chain is
    # not in the schema, so the cycle goes through Model.subgraphs → SubGraph.operators → ... and
    # back: each element offset points to the same vector's owner. Simplest portable form: a
    # Model whose subgraphs vector contains 4096 offsets to one SubGraph whose tensors vector holds
    # 4096 offsets to one Tensor (16.7 M decodes from a 33 KB file).
    n = 4096
    out = bytearray()
    out += struct.pack("<I", 0) + b"TFL3"               # root offset patched below
    # vtables (2-byte aligned): model vtable with 3 fields (version, operator_codes, subgraphs).
    model_vt = len(out); out += struct.pack("<HHHHH", 10, 12, 4, 0, 8); out += b"\0\0"
    sub_vt = len(out); out += struct.pack("<HHH", 6, 8, 4); out += b"\0\0"
    ten_vt = len(out); out += struct.pack("<HH", 4, 4)
    # uoffsets only point forward, so each referenced table follows the vector that refers to it.
    model = len(out); out += struct.pack("<iII", model - model_vt, 3, 0)   # soffset, version, subgraphs
    subs_vec = len(out); out += struct.pack("<I", n); out += bytes(4 * n)
    sub = len(out); out += struct.pack("<iI", sub - sub_vt, 0)             # soffset, tensors
    ten_vec = len(out); out += struct.pack("<I", n); out += bytes(4 * n)
    ten = len(out); out += struct.pack("<i", ten - ten_vt)
    for i in range(n):
        struct.pack_into("<I", out, subs_vec + 4 + 4 * i, sub - (subs_vec + 4 + 4 * i))
        struct.pack_into("<I", out, ten_vec + 4 + 4 * i, ten - (ten_vec + 4 + 4 * i))
    struct.pack_into("<I", out, 0, model)
    struct.pack_into("<I", out, model + 8, subs_vec - (model + 8))
    struct.pack_into("<I", out, sub + 4, ten_vec - (sub + 4))
    write("tfl-shared-table-amplification.tflite", out)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if not name.endswith(".tsv"):
            os.remove(os.path.join(OUT, name))
    safetensors()
    gguf()
    tflite()
    flatbuffer_deep()
    print(len([n for n in os.listdir(OUT) if not n.endswith(".tsv")]), "files in", OUT)

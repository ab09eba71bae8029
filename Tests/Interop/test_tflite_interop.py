"""LiteRT loads, allocates and runs every .tflite the qscope CLI writes.

Skipped unless QSCOPE_BIN points at the built qscope binary. Uses the committed fixtures and,
when present, SampleModels/digits-*.tflite with their converter references.
"""
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

ai_edge_litert = pytest.importorskip("ai_edge_litert.interpreter")
schema = pytest.importorskip("ai_edge_litert.schema_py_generated")
Interpreter = ai_edge_litert.Interpreter
OpResolverType = ai_edge_litert.OpResolverType

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "ModelFormatsTests" / "Fixtures" / "tflite"
SAMPLES = ROOT / "SampleModels"
QSCOPE = os.environ.get("QSCOPE_BIN")
pytestmark = pytest.mark.skipif(not QSCOPE, reason="QSCOPE_BIN is not set")

SCHEMES = ["f16", "int8", "int8-tensor", "int8-asym", "int4"]


def quantize(src, out, *args):
    result = subprocess.run([QSCOPE, "quantize", str(src), "-o", str(out), "--force", *args],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out


def feeds(path, n=16, seed=0):
    rng = np.random.default_rng(seed)
    it = Interpreter(model_path=str(path))
    d = it.get_input_details()[0]
    if np.issubdtype(d["dtype"], np.integer):
        return [rng.integers(0, 32, size=d["shape"]).astype(d["dtype"]) for _ in range(n)]
    return [rng.normal(size=d["shape"]).astype(d["dtype"]) for _ in range(n)]


def run(path, inputs, resolver=OpResolverType.AUTO):
    it = Interpreter(model_path=str(path), experimental_op_resolver_type=resolver)
    it.allocate_tensors()
    index = it.get_input_details()[0]["index"]
    outputs = []
    for x in inputs:
        it.set_tensor(index, x)
        it.invoke()
        outputs.append(np.concatenate([it.get_tensor(o["index"]).ravel() for o in it.get_output_details()]))
    return np.array(outputs)


@pytest.mark.parametrize("resolver", [OpResolverType.AUTO, OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES])
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("fixture", ["conv", "gather_matmul"])
def test_every_scheme_loads_and_runs(tmp_path, fixture, scheme, resolver):
    src = FIXTURES / f"{fixture}.tflite"
    out = quantize(src, tmp_path / f"{fixture}-{scheme}.tflite", "--scheme", scheme)
    inputs = feeds(src)
    ref, got = run(src, inputs), run(out, inputs, resolver)
    assert got.shape == ref.shape and np.all(np.isfinite(got))
    tolerance = 0.3 if scheme == "int4" else 0.05
    assert np.abs(got - ref).max() <= tolerance * (np.abs(ref).max() + 1e-6)


def constants(path):
    """Per non-DEQUANTIZE op: name, version, and each input's constant (through DEQUANTIZE)."""
    model = schema.ModelT.InitFromPackedBuf(Path(path).read_bytes(), 0)
    names = {v: k for k, v in schema.BuiltinOperator.__dict__.items() if not k.startswith("_")}
    graph = model.subgraphs[0]
    producer = {o: op for op in graph.operators for o in op.outputs}

    def code(op):
        oc = model.operatorCodes[op.opcodeIndex]
        return max(oc.builtinCode, oc.deprecatedBuiltinCode), oc.version

    def const(t):
        data = model.buffers[graph.tensors[t].buffer].data
        return data is not None and len(data) > 0

    rows = []
    for op in graph.operators:
        c, version = code(op)
        if names[c] == "DEQUANTIZE" and const(op.inputs[0]):
            continue
        inputs = []
        for t in op.inputs:
            if t >= 0 and t in producer and names[code(producer[t])[0]] == "DEQUANTIZE" and const(producer[t].inputs[0]):
                t = producer[t].inputs[0]
            if t < 0 or not const(t):
                inputs.append(None)
                continue
            tensor = graph.tensors[t]
            q = tensor.quantization
            scales = None if q is None or q.scale is None else np.asarray(q.scale, np.float32).tobytes()
            inputs.append((tensor.type, bytes(model.buffers[tensor.buffer].data), scales))
        rows.append((names[c], version, inputs))
    return rows


def reference_pairs():
    pairs = [(FIXTURES / f"{m}.tflite", FIXTURES / f"{m}.{mode}.tflite", preset)
             for m in ["conv", "gather_matmul"] for mode, preset in [("default", "tflite-default"),
                                                                       ("float16", "tflite-float16")]]
    for name in ["digits-mlp", "digits-cnn"]:
        for mode, preset in [("default", "tflite-default"), ("float16", "tflite-float16")]:
            ref = SAMPLES / "reference" / f"{name}.{preset}.tflite"
            if (SAMPLES / f"{name}.tflite").exists() and ref.exists():
                pairs.append((SAMPLES / f"{name}.tflite", ref, preset))
    return pairs


@pytest.mark.parametrize("src,reference,preset", reference_pairs(), ids=lambda p: getattr(p, "name", p))
def test_presets_match_the_converter(tmp_path, src, reference, preset):
    out = quantize(src, tmp_path / "preset.tflite", "--preset", preset)
    assert constants(out) == constants(reference)
    run(out, feeds(src, 2))


@pytest.mark.parametrize("name", ["digits-mlp", "digits-cnn"])
@pytest.mark.parametrize("scheme", ["int8", "int4"])
def test_digits_top1_agreement(tmp_path, name, scheme):
    src = SAMPLES / f"{name}.tflite"
    data = SAMPLES / f"{name}.eval.npz"
    if not src.exists() or not data.exists():
        pytest.skip("digits sample model or its eval data is absent")
    x = np.load(data)["x"].astype(np.float32)
    out = quantize(src, tmp_path / f"{name}-{scheme}.tflite", "--scheme", scheme)
    shape = Interpreter(model_path=str(src)).get_input_details()[0]["shape"]
    inputs = [xi.reshape(shape) for xi in x]
    agree = float((run(src, inputs).argmax(1) == run(out, inputs).argmax(1)).mean())
    print(f"{name} {scheme}: top-1 agreement {agree:.4f}")
    if scheme == "int8":
        assert agree >= 0.99


def test_truncated_file_is_one_clear_error(tmp_path):
    data = (FIXTURES / "conv.tflite").read_bytes()
    bad = tmp_path / "cut.tflite"
    bad.write_bytes(data[: len(data) // 2])
    result = subprocess.run([QSCOPE, "quantize", str(bad), "-o", str(tmp_path / "o.tflite"), "--scheme", "int8"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and str(bad) in result.stderr
    assert not (tmp_path / "o.tflite").exists()


@pytest.mark.parametrize("offsets", ["0", "1"])
def test_unknown_fields_survive_an_int8_rewrite(tmp_path, offsets):
    """unknown_fields.tflite (scripts/make-tflite-unknown-fixture.py) carries fields and a union
    member newer than our schema; the int8 rewrite keeps them and LiteRT runs the result, also
    with the new weights placed after the FlatBuffer."""
    src = FIXTURES / "unknown_fields.tflite"
    out = tmp_path / "unknown-int8.tflite"
    result = subprocess.run([QSCOPE, "quantize", str(src), "-o", str(out), "--force", "--scheme", "int8"],
                            capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, QSCOPE_TFLITE_BUFFER_OFFSETS=offsets))
    assert result.returncode == 0, result.stderr
    assert "kept the input's" in result.stderr and "dropped" not in result.stderr
    data = out.read_bytes()
    for marker in [b"qscope-unknown-table", b"qscope-unknown-operator-field"]:
        assert marker in data
    model = schema.Model.GetRootAsModel(data, 0)
    ops = [model.Subgraphs(0).Operators(i) for i in range(model.Subgraphs(0).OperatorsLength())]
    assert [op.BuiltinOptionsType() for op in ops].count(250) == 1
    inputs = feeds(src)
    ref, got = run(src, inputs), run(out, inputs)
    assert np.abs(got - ref).max() <= 0.05 * (np.abs(ref).max() + 1e-6)


@pytest.mark.parametrize("fixture", ["conv", "gather_matmul"])
def test_buffer_offsets_run_like_inline(tmp_path, fixture):
    """QSCOPE_TFLITE_BUFFER_OFFSETS=1 forces the > 2 GiB layout (Buffer.offset/size, data after the
    FlatBuffer) on a small model; LiteRT loads it and computes exactly what the inline file does."""
    src = FIXTURES / f"{fixture}.tflite"
    inline = quantize(src, tmp_path / "inline.tflite", "--scheme", "int8")
    env = dict(os.environ, QSCOPE_TFLITE_BUFFER_OFFSETS="1")
    result = subprocess.run([QSCOPE, "quantize", str(src), "-o", str(tmp_path / "offsets.tflite"), "--force",
                             "--scheme", "int8"], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    offsets = tmp_path / "offsets.tflite"
    model = schema.ModelT.InitFromPackedBuf(offsets.read_bytes(), 0)
    placed = [b for b in model.buffers if b.offset > 1]
    assert placed and all(b.data is None or len(b.data) == 0 for b in placed)
    assert all(b.offset % 16 == 0 for b in placed)
    inputs = feeds(src)
    for resolver in [OpResolverType.AUTO, OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES]:
        assert np.array_equal(run(offsets, inputs, resolver), run(inline, inputs, resolver))


@pytest.mark.parametrize("args", [["--scheme", "int8"], ["--scheme", "int4"], ["--scheme", "int8-tensor"],
                                  ["--scheme", "int8-asym"], ["--preset", "tflite-default"]])
def test_embedding_lookup_runs(tmp_path, args):
    """EMBEDDING_LOOKUP reads int8/int4 tables directly (hybrid), int8-asym through DEQUANTIZE."""
    src = FIXTURES / "embedding_lookup.tflite"
    out = quantize(src, tmp_path / "embedding.tflite", *args)
    inputs = feeds(src)
    for resolver in [OpResolverType.AUTO, OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES]:
        ref, got = run(src, inputs), run(out, inputs, resolver)
        tolerance = 0.3 if "int4" in args else 0.02
        assert np.abs(got - ref).max() <= tolerance * np.abs(ref).max()
    model = schema.ModelT.InitFromPackedBuf(out.read_bytes(), 0)
    table = next(t for t in model.subgraphs[0].tensors if t.name == b"embedding/table")
    assert table.type == (schema.TensorType.INT4 if "int4" in args else schema.TensorType.INT8)


def test_shared_buffer_keeps_the_other_tensor(tmp_path):
    src = FIXTURES / "shared_buffer.tflite"
    out = quantize(src, tmp_path / "shared.tflite", "--tensor-type", "dense_a/kernel=int8")
    before = schema.ModelT.InitFromPackedBuf(src.read_bytes(), 0)
    after = schema.ModelT.InitFromPackedBuf(out.read_bytes(), 0)

    def tensor(model, name):
        t = next(t for t in model.subgraphs[0].tensors if t.name == name)
        return t, bytes(model.buffers[t.buffer].data)

    (a, _), (b, data_b) = tensor(after, b"dense_a/kernel"), tensor(after, b"dense_b/kernel")
    assert a.type == schema.TensorType.INT8 and b.type == schema.TensorType.FLOAT32
    assert data_b == tensor(before, b"dense_b/kernel")[1]
    inputs = feeds(src)
    assert np.abs(run(out, inputs) - run(src, inputs)).max() <= 0.05 * np.abs(run(src, inputs)).max()


@pytest.mark.parametrize("fixture,weights", [("rnn", ["rnn/weights", "rnn/recurrent_weights"]),
                                             ("svdf", ["svdf/weights_feature", "svdf/weights_time"]),
                                             ("lstm", ["lstm/input_to_cell_weights"])])
def test_recurrent_weights_are_kept_with_a_warning(tmp_path, fixture, weights):
    src = FIXTURES / f"{fixture}.tflite"
    out = tmp_path / f"{fixture}.tflite"
    result = subprocess.run([QSCOPE, "quantize", str(src), "-o", str(out), "--force", "--scheme", "int8"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for name in weights:
        assert any(name in line and "warning" in line for line in result.stderr.splitlines()), result.stderr
    inputs = feeds(src, 4)
    assert np.array_equal(run(out, inputs), run(src, inputs))

"""`qscope eval` against LiteRT: our float outputs match the runtime's, and the accuracy we predict
for a plan matches the accuracy LiteRT measures on the file our writer produces for that plan.

Skipped unless QSCOPE_BIN points at the built qscope binary.
"""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

ai_edge_litert = pytest.importorskip("ai_edge_litert.interpreter")
Interpreter = ai_edge_litert.Interpreter

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "SampleModels"
MOBILENET = ROOT / "Tests" / "Interop" / "fixtures" / "mobilenetv2-035-96"
QSCOPE = os.environ.get("QSCOPE_BIN")
pytestmark = pytest.mark.skipif(not QSCOPE, reason="QSCOPE_BIN is not set")

MODELS = ["digits-mlp", "digits-cnn"]
PLANS = {
    "int8": {"version": 1, "default": "int8"},
    "int4": {"version": 1, "default": "int4"},
    # First layers int8, the rest int4 (rules match TFLite tensor names).
    "mixed": {"version": 1, "default": "int4", "rules": [{"pattern": "conv1|fc1|dw", "scheme": "int8"}]},
    "int8-tensor": {"version": 1, "default": "int8-tensor"},
}


def qscope(*args):
    result = subprocess.run([QSCOPE, *map(str, args)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def litert_outputs(model, x):
    it = Interpreter(model_path=str(model))
    it.allocate_tensors()
    inp = it.get_input_details()[0]
    out = it.get_output_details()[0]
    results = []
    for sample in x:
        it.set_tensor(inp["index"], sample[None].astype(inp["dtype"]))
        it.invoke()
        results.append(it.get_tensor(out["index"]).reshape(-1).copy())
    return np.stack(results)


def load_test_data():
    data = np.load(SAMPLES / "digits-test.npz")
    return data["x"], data["y"]


@pytest.mark.parametrize("name", MODELS)
def test_float_outputs_match_litert(tmp_path, name):
    x, _ = load_test_data()
    model = SAMPLES / f"{name}.tflite"
    dump = tmp_path / "float.npy"
    qscope("eval", model, "--data", SAMPLES / "digits-test.npz", "--format", "json", "--dump-float-outputs", dump)
    ours = np.load(dump).reshape(len(x), -1)
    reference = litert_outputs(model, x)
    np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("plan", sorted(PLANS))
@pytest.mark.parametrize("name", MODELS)
def test_predicted_accuracy_matches_litert(tmp_path, name, plan):
    x, y = load_test_data()
    model = SAMPLES / f"{name}.tflite"
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(PLANS[plan]))
    report = json.loads(qscope("eval", model, "--data", SAMPLES / "digits-test.npz", "--plan", plan_file, "--format", "json"))
    assert report["samples"] == len(x) and report["labels"] is True
    out = tmp_path / f"{name}-{plan}.tflite"
    qscope("quantize", model, "-o", out, "--plan", plan_file, "--force")
    measured = float(np.mean(litert_outputs(out, x).argmax(axis=1) == y))
    predicted = report["quantized"]["accuracy"]
    assert abs(predicted - measured) <= 0.005, f"predicted {predicted:.4f}, LiteRT {measured:.4f}"
    assert report["bytes"]["quantized"] < report["bytes"]["original"]


@pytest.mark.parametrize("name", MODELS)
def test_predicted_outputs_track_litert(tmp_path, name):
    """Per-sample outputs of the int8 plan are close to LiteRT's (hybrid kernels emulated)."""
    x, _ = load_test_data()
    model = SAMPLES / f"{name}.tflite"
    out = tmp_path / "int8.tflite"
    dump = tmp_path / "q.npy"
    qscope("quantize", model, "-o", out, "--scheme", "int8", "--force")
    qscope("eval", model, "--data", SAMPLES / "digits-test.npz", "--scheme", "int8", "--format", "json", "--dump-outputs", dump)
    ours = np.load(dump).reshape(len(x), -1)
    reference = litert_outputs(out, x)
    assert np.max(np.abs(ours - reference)) < 0.05


def test_mobilenet_float_outputs_match_litert(tmp_path):
    model = MOBILENET / "float.tflite"
    inputs = MOBILENET / "inputs.npy"
    if not model.exists() or not inputs.exists():
        pytest.skip("MobileNetV2 fixture not present")
    x = np.load(inputs)
    data = tmp_path / "data.npz"
    np.savez(data, x=x.astype(np.float32))
    dump = tmp_path / "float.npy"
    qscope("eval", model, "--data", data, "--format", "json", "--dump-float-outputs", dump)
    ours = np.load(dump).reshape(len(x), -1)
    reference = litert_outputs(model, x)
    np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-5)


def test_bad_data_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros((4, 7, 7, 1), np.float32))
    result = subprocess.run([QSCOPE, "eval", SAMPLES / "digits-cnn.tflite", "--data", bad],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "shape" in result.stderr and "Traceback" not in result.stderr


# --- Single-op models built by hand (DENSIFY, DEQUANTIZE, PADV2) ------------------------------
# Each model is written with LiteRT's own schema (ai_edge_litert.schema_py_generated), run by
# LiteRT sample by sample and by `qscope eval` as one batch; the float outputs must agree.

SPARSE = ROOT / "Tests" / "Interop" / "fixtures" / "sparse"
OPS = {"ADD": 0, "DEQUANTIZE": 6, "FULLY_CONNECTED": 9, "PADV2": 60, "DENSIFY": 124}


def build_tflite(path, tensors, ops, inputs, outputs):
    """tensors: dicts with name, shape, type (TensorType), optional data (bytes), quant (scales,
    zero_points, axis) and sparsity (SparsityParametersT); ops: (name, inputs, outputs)."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as S

    model = S.ModelT()
    model.version = 3
    model.buffers = [S.BufferT()]
    graph = S.SubGraphT()
    graph.tensors = []
    for t in tensors:
        tensor = S.TensorT()
        tensor.name = t["name"]
        tensor.shape = np.array(t["shape"], np.int32)
        tensor.type = t.get("type", S.TensorType.FLOAT32)
        buffer = S.BufferT()
        if t.get("data") is not None:
            buffer.data = np.frombuffer(t["data"], np.uint8)
        model.buffers.append(buffer)
        tensor.buffer = len(model.buffers) - 1
        if t.get("quant"):
            scales, zero_points, axis = t["quant"]
            q = S.QuantizationParametersT()
            q.scale = np.array(scales, np.float32)
            q.zeroPoint = np.array(zero_points, np.int64)
            q.quantizedDimension = axis
            tensor.quantization = q
        tensor.sparsity = t.get("sparsity")
        graph.tensors.append(tensor)
    names = sorted({name for name, _, _ in ops})
    model.operatorCodes = []
    for name in names:
        code = S.OperatorCodeT()
        code.builtinCode = OPS[name]
        code.deprecatedBuiltinCode = min(OPS[name], 127)
        code.version = 1
        model.operatorCodes.append(code)
    graph.operators = []
    for name, ins, outs in ops:
        op = S.OperatorT()
        op.opcodeIndex = names.index(name)
        op.inputs = np.array(ins, np.int32)
        op.outputs = np.array(outs, np.int32)
        if name == "FULLY_CONNECTED":
            op.builtinOptionsType = S.BuiltinOptions.FullyConnectedOptions
            op.builtinOptions = S.FullyConnectedOptionsT()
        graph.operators.append(op)
    graph.inputs = np.array(inputs, np.int32)
    graph.outputs = np.array(outputs, np.int32)
    model.subgraphs = [graph]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    path.write_bytes(bytes(builder.Output()))
    return path


def sparsity(traversal, block_map, dims):
    """dims: ("dense", size) or ("csr", segments, indices, numpy index dtype)."""
    from ai_edge_litert import schema_py_generated as S

    kinds = {np.int32: (S.SparseIndexVector.Int32Vector, S.Int32VectorT),
             np.uint16: (S.SparseIndexVector.Uint16Vector, S.Uint16VectorT),
             np.uint8: (S.SparseIndexVector.Uint8Vector, S.Uint8VectorT)}
    params = S.SparsityParametersT()
    params.traversalOrder = np.array(traversal, np.int32)
    params.blockMap = np.array(block_map, np.int32)
    params.dimMetadata = []
    for dim in dims:
        meta = S.DimensionMetadataT()
        if dim[0] == "dense":
            meta.format = S.DimensionType.DENSE
            meta.denseSize = dim[1]
        else:
            _, segments, indices, dtype = dim
            meta.format = S.DimensionType.SPARSE_CSR
            for field, values in (("arraySegments", segments), ("arrayIndices", indices)):
                tag, cls = kinds[dtype]
                vector = cls()
                vector.values = np.array(values, dtype)
                setattr(meta, field, vector)
                setattr(meta, field + "Type", tag)
        params.dimMetadata.append(meta)
    return params


def compare_with_litert(tmp_path, model, x, rtol=1e-5, atol=1e-6):
    data = tmp_path / "data.npz"
    np.savez(data, x=x.astype(np.float32))
    dump = tmp_path / "ours.npy"
    qscope("eval", model, "--data", data, "--format", "json", "--dump-float-outputs", dump)
    ours = np.load(dump).reshape(len(x), -1)
    reference = litert_outputs(model, x).reshape(len(x), -1)
    np.testing.assert_allclose(ours, reference, rtol=rtol, atol=atol)
    return reference


@pytest.mark.parametrize("name", ["sparse-fc", "sparse-conv"])
def test_converter_sparse_models_match_litert(tmp_path, name):
    """The converter's EXPERIMENTAL_SPARSITY output: CSR fully connected and conv weights and a
    1x4 block-sparse fully connected layer behind DENSIFY (scripts/make-sparse-fixtures.py)."""
    model = SPARSE / f"{name}.tflite"
    x = np.load(SPARSE / f"{name}.eval.npz")["x"]
    reference = compare_with_litert(tmp_path, model, x, rtol=1e-4, atol=1e-5)
    assert np.abs(reference).max() > 0.1


@pytest.mark.parametrize("index_type", [np.uint8, np.uint16, np.int32])
def test_block_sparse_fully_connected_matches_litert(tmp_path, index_type):
    """[6, 8] weights in 1x4 blocks (block_map [1]): CSR over block columns, each block dense."""
    from ai_edge_litert import schema_py_generated as S

    rng = np.random.default_rng(3)
    segments = [0, 1, 1, 3, 4, 4, 6]       # per output row: which block columns are stored
    indices = [1, 0, 1, 0, 0, 1]
    values = rng.normal(size=(len(indices), 4)).astype(np.float32)
    params = sparsity([0, 1, 2], [1], [("dense", 6), ("csr", segments, indices, index_type), ("dense", 4)])
    model = build_tflite(tmp_path / "block.tflite", [
        {"name": "x", "shape": [1, 8]},
        {"name": "w_sparse", "shape": [6, 8], "data": values.tobytes(), "sparsity": params},
        {"name": "w", "shape": [6, 8]},
        {"name": "b", "shape": [6], "data": rng.normal(size=6).astype(np.float32).tobytes()},
        {"name": "y", "shape": [1, 6]},
    ], [("DENSIFY", [1], [2]), ("FULLY_CONNECTED", [0, 2, 3], [4])], inputs=[0], outputs=[4])
    x = rng.normal(size=(5, 8)).astype(np.float32)
    compare_with_litert(tmp_path, model, x)


@pytest.mark.parametrize("index_type", [np.uint8, np.uint16])
def test_csr_added_to_the_input_matches_litert(tmp_path, index_type):
    """DENSIFY's output added to the input shows every densified element; small index types."""
    rng = np.random.default_rng(4)
    segments = [0, 2, 2, 3]
    indices = [0, 3, 1]
    values = np.array([1.5, -2.0, 4.0], np.float32)
    params = sparsity([0, 1], [], [("dense", 3), ("csr", segments, indices, index_type)])
    model = build_tflite(tmp_path / "csr.tflite", [
        {"name": "x", "shape": [1, 3, 4]},
        {"name": "w_sparse", "shape": [3, 4], "data": values.tobytes(), "sparsity": params},
        {"name": "w", "shape": [3, 4]},
        {"name": "y", "shape": [1, 3, 4]},
    ], [("DENSIFY", [1], [2]), ("ADD", [0, 2], [3])], inputs=[0], outputs=[3])
    x = rng.normal(size=(3, 3, 4)).astype(np.float32)
    reference = compare_with_litert(tmp_path, model, x)
    expected = np.zeros((3, 4), np.float32)
    expected[0, 0], expected[0, 3], expected[2, 1] = values
    np.testing.assert_allclose(reference.reshape(3, 3, 4) - x, np.broadcast_to(expected, (3, 3, 4)), atol=1e-6)


@pytest.mark.parametrize("kind", ["int8-tensor", "int8-channel", "float16"])
def test_dequantize_constant_matches_litert(tmp_path, kind):
    from ai_edge_litert import schema_py_generated as S

    rng = np.random.default_rng(6)
    if kind == "float16":
        data = rng.normal(size=(2, 3)).astype(np.float16).tobytes()
        weight = {"name": "w_q", "shape": [2, 3], "type": S.TensorType.FLOAT16, "data": data}
    else:
        q = rng.integers(-128, 128, size=(2, 3)).astype(np.int8)
        quant = ([0.05], [-3], 0) if kind == "int8-tensor" else ([0.5, 0.02], [0, 0], 0)
        weight = {"name": "w_q", "shape": [2, 3], "type": S.TensorType.INT8, "data": q.tobytes(), "quant": quant}
    model = build_tflite(tmp_path / "deq.tflite", [
        {"name": "x", "shape": [1, 2, 3]}, weight, {"name": "w", "shape": [2, 3]}, {"name": "y", "shape": [1, 2, 3]},
    ], [("DEQUANTIZE", [1], [2]), ("ADD", [0, 2], [3])], inputs=[0], outputs=[3])
    x = rng.normal(size=(4, 2, 3)).astype(np.float32)
    compare_with_litert(tmp_path, model, x)


def test_padv2_matches_litert(tmp_path):
    from ai_edge_litert import schema_py_generated as S

    paddings = np.array([[0, 0], [1, 0], [0, 2]], np.int32)
    model = build_tflite(tmp_path / "padv2.tflite", [
        {"name": "x", "shape": [1, 2, 3]},
        {"name": "paddings", "shape": [3, 2], "type": S.TensorType.INT32, "data": paddings.tobytes()},
        {"name": "fill", "shape": [], "data": np.array([-3.25], np.float32).tobytes()},
        {"name": "y", "shape": [1, 3, 5]},
    ], [("PADV2", [0, 1, 2], [3])], inputs=[0], outputs=[3])
    x = np.random.default_rng(7).normal(size=(3, 2, 3)).astype(np.float32)
    reference = compare_with_litert(tmp_path, model, x)
    assert np.sum(reference == -3.25) == 3 * (15 - 6)


def test_column_major_traversal_matches_litert(tmp_path):
    """traversal_order [1, 0]: columns outermost, rows compressed."""
    params = sparsity([1, 0], [], [("dense", 3), ("csr", [0, 1, 1, 3], [1, 0, 1], np.int32)])
    model = build_tflite(tmp_path / "columns.tflite", [
        {"name": "x", "shape": [1, 2, 3]},
        {"name": "w_sparse", "shape": [2, 3], "data": np.array([1, 2, 3], np.float32).tobytes(), "sparsity": params},
        {"name": "w", "shape": [2, 3]},
        {"name": "y", "shape": [1, 2, 3]},
    ], [("DENSIFY", [1], [2]), ("ADD", [0, 2], [3])], inputs=[0], outputs=[3])
    reference = compare_with_litert(tmp_path, model, np.zeros((2, 2, 3), np.float32))
    np.testing.assert_array_equal(reference[0], [0, 0, 2, 1, 0, 3])


def test_savez_compressed_data_gives_the_same_report(tmp_path):
    """np.savez_compressed (deflated members) reads exactly like np.savez."""
    x, y = load_test_data()
    compressed = tmp_path / "compressed.npz"
    np.savez_compressed(compressed, x=x, y=y)
    stored = json.loads(qscope("eval", SAMPLES / "digits-cnn.tflite", "--data", SAMPLES / "digits-test.npz",
                               "--scheme", "int4", "--format", "json"))
    deflated = json.loads(qscope("eval", SAMPLES / "digits-cnn.tflite", "--data", compressed,
                                 "--scheme", "int4", "--format", "json"))
    assert deflated == stored
    assert deflated["samples"] == len(x) and deflated["labels"] is True


def test_malformed_sparsity_is_a_clear_error(tmp_path):
    """An index past the dimension: one line naming the tensor, exit 1, no traceback."""
    params = sparsity([0, 1], [], [("dense", 3), ("csr", [0, 2, 2, 3], [0, 9, 1], np.int32)])
    model = build_tflite(tmp_path / "bad.tflite", [
        {"name": "x", "shape": [1, 3, 4]},
        {"name": "w_sparse", "shape": [3, 4], "data": np.ones(3, np.float32).tobytes(), "sparsity": params},
        {"name": "w", "shape": [3, 4]},
        {"name": "y", "shape": [1, 3, 4]},
    ], [("DENSIFY", [1], [2]), ("ADD", [0, 2], [3])], inputs=[0], outputs=[3])
    data = tmp_path / "data.npz"
    np.savez(data, x=np.zeros((2, 3, 4), np.float32))
    result = subprocess.run([QSCOPE, "eval", model, "--data", data], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "w_sparse" in result.stderr and "index 9" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1

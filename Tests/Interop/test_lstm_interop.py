"""LSTM models through qscope's TFLite paths, against the TF converter's committed files
(scripts/make-lstm-fixtures.py): `--preset tflite-default` on the converter's float .tflite must
write the converter's Optimize.DEFAULT weights bit for bit, and LiteRT must run the result with the
converter file's outputs; the Keras LSTM models converted by qscope must match the converter's
files op by op and Keras' own predictions.

Needs QSCOPE_BIN (scripts/test.sh sets it) and ai-edge-litert; the Keras comparison also keras
(KERAS_BACKEND=jax).
"""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")

litert = pytest.importorskip("ai_edge_litert.interpreter")
schema = pytest.importorskip("ai_edge_litert.schema_py_generated")

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "ModelFormatsTests" / "Fixtures"
QSCOPE = os.environ.get("QSCOPE_BIN")
pytestmark = pytest.mark.skipif(not QSCOPE, reason="QSCOPE_BIN is not set")

MODELS = ["lstm_small", "lstm_stack", "lstm_mixed", "bilstm_last", "bilstm_seq", "bilstm_sum", "bilstm_mul", "bilstm_ave"]
LSTM = schema.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM


def qscope(*args):
    result = subprocess.run([QSCOPE, *map(str, args)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def load(path):
    data = Path(path).read_bytes()
    return schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))


def ops(path):
    """Per op of subgraph 0: code, version, options fields, and per input the constant behind it
    (type, bytes, scales, zero points, quantized dimension) or its shape for run-time tensors."""
    model = load(path)
    graph = model.subgraphs[0]
    rows = []
    for op in graph.operators:
        code = model.operatorCodes[op.opcodeIndex]
        inputs = []
        for t in op.inputs:
            if t < 0:
                inputs.append(None)
                continue
            tensor = graph.tensors[t]
            q = tensor.quantization
            scales = None if q is None or q.scale is None else np.asarray(q.scale, np.float32).tobytes()
            # An empty quantization table (the converter writes one on float tensors) counts as none.
            zeros = None if scales is None or q.zeroPoint is None else list(q.zeroPoint)
            data = model.buffers[tensor.buffer].data
            inputs.append((tensor.type, list(tensor.shape), tensor.isVariable,
                           None if data is None else bytes(data), scales, zeros,
                           None if scales is None else q.quantizedDimension))
        options = vars(op.builtinOptions) if op.builtinOptions is not None else None
        rows.append((code.builtinCode, code.version, options, inputs))
    return rows


def run(path, inputs):
    it = litert.Interpreter(model_path=str(path), num_threads=1)
    it.allocate_tensors()
    index = it.get_input_details()[0]["index"]
    out = it.get_output_details()[0]["index"]
    results = []
    for x in inputs:
        it.reset_all_variables()
        it.set_tensor(index, x)
        it.invoke()
        results.append(it.get_tensor(out).copy())
    return np.stack(results)


def feeds(path, n=4, seed=0):
    rng = np.random.default_rng(seed)
    d = litert.Interpreter(model_path=str(path)).get_input_details()[0]
    return [rng.normal(size=d["shape"]).astype(np.float32) for _ in range(n)]


@pytest.mark.parametrize("name", MODELS)
def test_tflite_default_matches_the_converter(tmp_path, name):
    src = FIXTURES / "tflite" / f"{name}.tflite"
    reference = FIXTURES / "tflite" / f"{name}.default.tflite"
    out = tmp_path / f"{name}.default.tflite"
    qscope("quantize", src, "-o", out, "--force", "--preset", "tflite-default")
    mine, theirs = ops(out), ops(reference)
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        assert a == b
    x = feeds(src)
    np.testing.assert_array_equal(run(out, x), run(reference, x))


def test_tflite_default_quantizes_the_lstm_it_should():
    """The fixtures exercise both outcomes: an LSTM turned hybrid and LSTMs left float."""
    stack = [row for row in ops(FIXTURES / "tflite" / "lstm_stack.default.tflite") if row[0] == LSTM]
    assert [row[3][2][0] for row in stack] == [schema.TensorType.INT8, schema.TensorType.FLOAT32]
    assert stack[0][1] == 3 and stack[0][2]["asymmetricQuantizeInputs"]
    mixed = [row for row in ops(FIXTURES / "tflite" / "lstm_mixed.default.tflite") if row[0] == LSTM]
    assert all(slot is None or slot[0] == schema.TensorType.FLOAT32 for slot in mixed[0][3])


@pytest.mark.parametrize("name,code,version", [("rnn", schema.BuiltinOperator.RNN, 3),
                                               ("svdf", schema.BuiltinOperator.SVDF, 4),
                                               ("lstm", LSTM, 3)])
def test_recurrent_ops_run_hybrid(tmp_path, name, code, version):
    """The hand-built RNN/SVDF/LSTM fixtures with every weight matrix as per-tensor int8: LiteRT
    runs the hybrid kernels (asymmetric inputs) close to the float model."""
    src = FIXTURES / "tflite" / f"{name}.tflite"
    out = tmp_path / f"{name}.int8.tflite"
    qscope("quantize", src, "-o", out, "--force", "--scheme", "int8-tensor")
    (row,) = [r for r in ops(out) if r[0] == code]
    assert row[1] == version
    assert row[2]["asymmetricQuantizeInputs"]
    weights = [slot for slot in row[3][1:] if slot is not None and slot[3] is not None and len(slot[1]) == 2]
    assert weights and all(slot[0] == schema.TensorType.INT8 and slot[5] == [0] for slot in weights)
    x = feeds(src)
    expected, got = run(src, x), run(out, x)
    assert np.abs(got - expected).max() <= 0.06 * np.abs(expected).max()


@pytest.mark.parametrize("name", MODELS)
def test_keras_lstm_converts_like_the_converter(tmp_path, name):
    """Float: the converter's ops with byte-identical weights, and Keras' outputs within float
    rounding; tflite-default: the converter's DEFAULT file op by op, and its outputs."""
    keras = pytest.importorskip("keras")
    src = FIXTURES / "keras" / f"{name}.keras"
    out = tmp_path / f"{name}.tflite"
    qscope("quantize", src, "-o", out, "--force", "--scheme", "f32")
    mine, theirs = ops(out), ops(FIXTURES / "tflite" / f"{name}.tflite")
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        assert a == b
    x = feeds(out, n=6, seed=1)
    model = keras.saving.load_model(src, compile=False)
    expected = np.stack([np.asarray(model(v)) for v in x])
    got = run(out, x)
    assert np.abs(got - expected).max() <= 1e-4 * max(1.0, np.abs(expected).max())
    default = tmp_path / f"{name}.default.tflite"
    qscope("quantize", src, "-o", default, "--force", "--preset", "tflite-default")
    reference = FIXTURES / "tflite" / f"{name}.default.tflite"
    mine, theirs = ops(default), ops(reference)
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        assert a == b
    np.testing.assert_array_equal(run(default, x), run(reference, x))


def refusal(tmp_path, model, name):
    """Saves `model`, asks qscope to convert it to .tflite, and returns the one-line refusal
    (exit 1, nothing written)."""
    path, out = tmp_path / f"{name}.keras", tmp_path / f"{name}.tflite"
    model.save(path)
    result = subprocess.run([QSCOPE, "quantize", str(path), "-o", str(out), "--scheme", "f32"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert not out.exists()
    return result.stderr.strip().splitlines()[-1]


def test_masked_lstm_is_refused(tmp_path):
    """Embedding(mask_zero=True) → LSTM: Keras skips masked steps, the fused op cannot; qscope says
    so in one line instead of writing a model that computes something else."""
    keras = pytest.importorskip("keras")
    ids = keras.Input((6,), dtype="int32", batch_size=1, name="ids")
    x = keras.layers.Embedding(20, 8, mask_zero=True, name="embed")(ids)
    x = keras.layers.LSTM(4, name="rnn")(x)
    message = refusal(tmp_path, keras.Model(ids, x), "masked")
    assert "'rnn' (LSTM)" in message and "mask_zero" in message


def test_gru_is_refused_as_a_while_loop(tmp_path):
    """The TF converter writes a Keras GRU as a WHILE loop (cond/body subgraphs), not a fused op;
    qscope refuses it in one line naming the layer and saying so."""
    keras = pytest.importorskip("keras")
    x = keras.Input((8, 6), batch_size=1, name="x")
    y = keras.layers.Dense(4, name="out")(keras.layers.GRU(16, name="gru")(x))
    message = refusal(tmp_path, keras.Model(x, y), "gru")
    assert "'gru' (GRU)" in message and "WHILE loop" in message


def test_bidirectional_average_before_another_layer_keeps_the_mul(tmp_path):
    """merge_mode ave followed by something other than a Dense: the ½ cannot go into weights, so
    it stays a MUL after the ADD; LiteRT computes Keras' outputs."""
    keras = pytest.importorskip("keras")
    x = keras.Input((8, 6), batch_size=1, name="x")
    lstm = keras.layers.LSTM(16, bias_initializer="random_normal", name="lstm")
    h = keras.layers.Bidirectional(lstm, merge_mode="ave", name="bi")(x)
    y = keras.layers.Dense(4, name="out")(keras.layers.Activation("tanh", name="act")(h))
    model = keras.Model(x, y)
    src = tmp_path / "ave_tanh.keras"
    model.save(src)
    out = tmp_path / "ave_tanh.tflite"
    qscope("quantize", src, "-o", out, "--force", "--scheme", "f32")
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    assert [names[row[0]] for row in ops(out)][-4:] == ["ADD", "MUL", "TANH", "FULLY_CONNECTED"]
    x = feeds(out, n=6, seed=1)
    expected = np.stack([np.asarray(model(v)) for v in x])
    assert np.abs(run(out, x) - expected).max() <= 1e-4 * max(1.0, np.abs(expected).max())


def test_plan_on_keras_names_quantizes_the_gate_matrices(tmp_path):
    """A plan written on the Keras model's names (lstm_0/cell/kernel, …) reaches the four gate
    matrices each Keras kernel becomes: lstm_0's kernel and recurrent kernel as int8-tensor make
    its op hybrid (all eight matrices int8); lstm_1 with only its kernel planned stays float, with
    the group warning; LiteRT runs the result close to Keras."""
    keras = pytest.importorskip("keras")
    src = FIXTURES / "keras" / "lstm_stack.keras"
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"version": 1, "tensors": {
        "lstm_0/cell/kernel": "int8-tensor", "lstm_0/cell/recurrent_kernel": "int8-tensor",
        "lstm_1/cell/kernel": "int8-tensor"}}))
    out = tmp_path / "planned.tflite"
    result = qscope("quantize", src, "-o", out, "--force", "--plan", plan)
    # One warning for the four gate matrices of lstm_1's kernel.
    assert result.stderr.count("warning: lstm_1/cell/kernel:") == 1
    assert "(lstm_1/cell/kernel, lstm_1/cell/recurrent_kernel)'s 8 weights are quantized together" in result.stderr
    assert "lstm_0/cell" not in result.stderr
    first, second = [row for row in ops(out) if row[0] == LSTM]
    # Inputs 1–8: the four input-to-gate and four recurrent-to-gate matrices.
    assert all(slot[0] == schema.TensorType.INT8 and slot[5] == [0] for slot in first[3][1:9])
    assert all(slot[0] == schema.TensorType.FLOAT32 for slot in second[3][1:9])
    assert first[2]["asymmetricQuantizeInputs"]
    x = feeds(out, n=6, seed=2)
    model = keras.saving.load_model(src, compile=False)
    expected = np.stack([np.asarray(model(v)) for v in x])
    got = run(out, x)
    assert np.abs(got - expected).max() <= 0.06 * np.abs(expected).max()
    assert np.abs(got - expected).max() > 0  # hybrid, not float

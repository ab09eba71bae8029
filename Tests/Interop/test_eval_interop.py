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

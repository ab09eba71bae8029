"""Keras 3 loads and runs every .keras the qscope CLI writes, and our int8 equals Keras' own.

Skipped unless QSCOPE_BIN points at the built qscope binary. Uses SampleModels/digits-*.keras
(QSCOPE_ROOT or the repository this file is in) and small models built here.
"""
import os
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

ROOT = Path(os.environ.get("QSCOPE_ROOT", Path(__file__).resolve().parents[2]))
SAMPLES = ROOT / "SampleModels"
QSCOPE = os.environ.get("QSCOPE_BIN")
pytestmark = pytest.mark.skipif(not QSCOPE, reason="QSCOPE_BIN is not set")


def qscope(*args):
    return subprocess.run([QSCOPE, *map(str, args)], capture_output=True, text=True, timeout=300)


def quantize(src, out, scheme):
    result = qscope("quantize", src, "-o", out, "--force", "--scheme", scheme)
    assert result.returncode == 0, result.stderr
    return out


def digits():
    data = np.load(SAMPLES / "digits-test.npz")
    return data["x"], data["y"]


def keras_int8(path):
    model = keras.saving.load_model(path)
    model.quantize("int8")
    return model


def assert_same_variables(ours, reference):
    """Every variable (int8 kernels, scales, biases, float layers) equal in dtype and bytes."""
    assert len(ours.layers) == len(reference.layers)
    for mine, theirs in zip(ours.layers, reference.layers):
        assert mine.dtype_policy.name == theirs.dtype_policy.name, mine.name
        assert len(mine.weights) == len(theirs.weights), mine.name
        for a, b in zip(mine.weights, theirs.weights):
            a, b = np.asarray(a), np.asarray(b)
            assert a.dtype == b.dtype and a.shape == b.shape, (mine.name, a.dtype, b.dtype)
            assert a.tobytes() == b.tobytes(), f"{mine.name}: values differ from Keras' own int8"


@pytest.mark.parametrize("name", ["digits-mlp", "digits-cnn"])
def test_int8_equals_keras_quantize_and_keeps_accuracy(tmp_path, name):
    src = SAMPLES / f"{name}.keras"
    if not src.exists():
        pytest.skip(f"{src} missing")
    out = quantize(src, tmp_path / "q.keras", "int8")
    with zipfile.ZipFile(out) as archive:
        assert [i.filename for i in archive.infolist()][:3] == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
    ours = keras.saving.load_model(out)
    reference = keras_int8(src)
    assert_same_variables(ours, reference)
    x, y = digits()
    float_acc = (keras.saving.load_model(src).predict(x, verbose=0).argmax(1) == y).mean()
    ours_acc = (ours.predict(x, verbose=0).argmax(1) == y).mean()
    assert abs(float_acc - ours_acc) <= 0.005, (float_acc, ours_acc)
    np.testing.assert_array_equal(ours.predict(x, verbose=0), reference.predict(x, verbose=0))


def test_f32_passthrough_is_identical(tmp_path):
    src = SAMPLES / "digits-mlp.keras"
    if not src.exists():
        pytest.skip(f"{src} missing")
    out = quantize(src, tmp_path / "f.keras", "f32")
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        for member in a.namelist():
            assert a.read(member) == b.read(member), member
    x, _ = digits()
    np.testing.assert_array_equal(keras.saving.load_model(out).predict(x, verbose=0),
                                  keras.saving.load_model(src).predict(x, verbose=0))


def test_embedding_and_functional_nested(tmp_path):
    keras.utils.set_random_seed(7)
    inner = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, name="inner_dense")], name="block")
    tokens = keras.Input((4,), dtype="int32", name="tokens")
    h = keras.layers.Embedding(20, 6, name="embed")(tokens)
    h = keras.layers.GlobalAveragePooling1D(name="pool")(h)
    h = inner(h)
    out = keras.layers.Dense(3, use_bias=False, name="head")(h)
    model = keras.Model(tokens, out, name="nested")
    src = tmp_path / "nested.keras"
    model.save(src)
    listing = qscope("inspect", src)
    assert listing.returncode == 0, listing.stderr
    for name in ["embed/embeddings", "block/inner_dense/kernel", "head/kernel"]:
        assert name in listing.stdout
    out_path = quantize(src, tmp_path / "q.keras", "int8")
    ours = keras.saving.load_model(out_path)
    reference = keras_int8(src)
    x = np.random.default_rng(0).integers(0, 20, size=(8, 4)).astype("int32")
    np.testing.assert_array_equal(ours.predict(x, verbose=0), reference.predict(x, verbose=0))
    for layer in ["embed", "head"]:
        mine, theirs = ours.get_layer(layer), reference.get_layer(layer)
        for a, b in zip(mine.weights, theirs.weights):
            assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), layer

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


def einsum_model():
    keras.utils.set_random_seed(11)
    x = keras.Input((3, 4))
    h = keras.layers.EinsumDense("abc,cd->abd", output_shape=(3, 6), bias_axes="d", name="proj")(x)
    h = keras.layers.EinsumDense("abc,cde->abde", output_shape=(3, 2, 3), bias_axes="de", name="heads")(h)
    h = keras.layers.EinsumDense("abde,dei->abi", output_shape=(3, 5), name="merge")(h)
    h = keras.layers.EinsumDense("abc,dc->abd", output_shape=(3, 4), name="swapped")(h)
    h = keras.layers.Flatten()(h)
    out = keras.layers.EinsumDense("ab,bc->ac", output_shape=3, bias_axes="c", name="head")(h)
    model = keras.Model(x, out, name="einsum")
    rng = np.random.default_rng(11)
    for layer in model.layers:
        for weight in layer.weights:
            if weight.path.endswith("bias"):
                weight.assign(rng.normal(size=weight.shape).astype("float32"))
    return model


def test_einsum_dense_int8_equals_keras_quantize(tmp_path):
    src = tmp_path / "einsum.keras"
    einsum_model().save(src)
    out = quantize(src, tmp_path / "q.keras", "int8")
    ours = keras.saving.load_model(out)
    reference = keras_int8(src)
    assert [layer.dtype_policy.name for layer in ours.layers if layer.weights] == ["int8_from_float32"] * 5
    assert ours.get_layer("heads").kernel_scale.shape == (1, 1, 2, 3)
    assert_same_variables(ours, reference)
    x = np.random.default_rng(1).normal(size=(16, 3, 4)).astype("float32")
    np.testing.assert_array_equal(ours.predict(x, verbose=0), reference.predict(x, verbose=0))


@pytest.mark.parametrize("policy", ["bfloat16", "mixed_bfloat16"])
def test_bfloat16_int8_equals_keras_quantize(tmp_path, policy):
    keras.utils.set_random_seed(12)
    ids = keras.Input((3,), dtype="int32")
    h = keras.layers.Embedding(12, 4, dtype=policy, name="table")(ids)
    h = keras.layers.EinsumDense("abc,cd->abd", output_shape=(3, 5), bias_axes="d", dtype=policy, name="mix")(h)
    h = keras.layers.Flatten(dtype=policy)(h)
    out = keras.layers.Dense(2, dtype=policy, name="head")(h)
    src = tmp_path / f"{policy}.keras"
    keras.Model(ids, out).save(src)
    out_path = quantize(src, tmp_path / "q.keras", "int8")
    ours = keras.saving.load_model(out_path)
    reference = keras_int8(src)
    assert ours.get_layer("head").dtype_policy.name == f"int8_from_{policy}"
    assert_same_variables(ours, reference)
    x = np.random.default_rng(2).integers(0, 12, size=(8, 3)).astype("int32")
    np.testing.assert_array_equal(ours.predict(x, verbose=0), reference.predict(x, verbose=0))
    passthrough = quantize(src, tmp_path / "f.keras", "f32")
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(passthrough) as b:
        for member in a.namelist():
            assert a.read(member) == b.read(member), member


@pytest.mark.parametrize("policy", ["float16", "mixed_float16"])
def test_float16_int8_is_refused_like_keras(tmp_path, policy):
    keras.utils.set_random_seed(13)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, dtype=policy, name="d")])
    src = tmp_path / f"{policy}.keras"
    model.save(src)
    with pytest.raises(ValueError, match="float16"):
        keras_int8(src)
    result = qscope("quantize", src, "-o", tmp_path / "q.keras", "--force", "--scheme", "int8")
    assert "Keras refuses int8 for layers that compute in float16" in result.stderr
    assert "d/kernel" in result.stderr
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(tmp_path / "q.keras") as b:
        assert a.read("model.weights.h5") == b.read("model.weights.h5")


def legacy_model():
    keras.utils.set_random_seed(14)
    block = keras.Sequential([keras.Input((8,)), keras.layers.Dense(8, name="inner"),
                              keras.layers.BatchNormalization(name="norm")], name="block")
    tokens = keras.Input((5,), dtype="int32", name="tokens")
    h = keras.layers.Embedding(16, 8, name="embed")(tokens)
    h = keras.layers.Conv1D(8, 3, padding="same", name="conv")(h)
    h = keras.layers.EinsumDense("abc,cd->abd", output_shape=(5, 8), bias_axes="d", name="ein")(h)
    h = keras.layers.GlobalAveragePooling1D(name="pool")(h)
    h = block(h)
    for i in range(11):  # dense_10 sorts before dense_2 in the weights file
        h = keras.layers.Dense(4, name=f"d{i}")(h)
    return keras.Model(tokens, keras.layers.Dense(3, use_bias=False, name="head")(h), name="legacy")


def test_legacy_h5_writes_a_keras_archive_keras_loads(tmp_path):
    src = tmp_path / "legacy.h5"
    legacy_model().save(src)
    x = np.random.default_rng(3).integers(0, 16, size=(8, 5)).astype("int32")
    assert_h5_round_trips(src, x, tmp_path)


def assert_h5_round_trips(src, x, tmp_path):
    """A legacy .h5 written as .keras: f32 keeps every variable byte for byte (same paths, same
    outputs), int8 equals Keras' own model.quantize("int8") of the file."""
    original = keras.saving.load_model(src)
    passthrough = keras.saving.load_model(quantize(src, tmp_path / "f.keras", "f32"))
    assert [w.path for w in passthrough.weights] == [w.path for w in original.weights]
    for a, b in zip(passthrough.weights, original.weights, strict=True):
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), a.path
    np.testing.assert_array_equal(passthrough.predict(x, verbose=0), original.predict(x, verbose=0))
    ours = keras.saving.load_model(quantize(src, tmp_path / "q.keras", "int8"))
    reference = keras_int8(src)
    assert_same_variables(ours, reference)
    np.testing.assert_array_equal(ours.predict(x, verbose=0), reference.predict(x, verbose=0))


def test_legacy_h5_output_must_be_named_keras(tmp_path):
    src = tmp_path / "legacy.h5"
    legacy_model().save(src)
    result = qscope("quantize", src, "-o", tmp_path / "q.h5", "--force", "--scheme", "int8")
    assert result.returncode == 1
    assert "name the output '.keras'" in result.stderr
    assert not (tmp_path / "q.h5").exists()


FIXTURES = ROOT / "Tests" / "ModelFormatsTests" / "Fixtures" / "keras"


@pytest.mark.parametrize("name,inputs", [("keras2-seq", "float"), ("keras2-flat", "ids")])
def test_tf_keras2_h5_writes_a_keras_archive_keras_loads(tmp_path, name, inputs):
    src = FIXTURES / f"{name}.h5"
    rng = np.random.default_rng(4)
    x = rng.normal(size=(8, 4)).astype("float32") if inputs == "float" else rng.integers(0, 12, size=(8, 5)).astype("int32")
    assert_h5_round_trips(src, x, tmp_path)


def test_tf_keras2_nested_h5_is_refused_as_keras_fails_on_it(tmp_path):
    src = FIXTURES / "keras2-nested.h5"
    with pytest.raises(ValueError):
        keras.saving.load_model(src)
    result = qscope("quantize", src, "-o", tmp_path / "q.keras", "--force", "--scheme", "int8")
    assert result.returncode == 1
    assert "Keras 3 cannot rebuild" in result.stderr
    assert not (tmp_path / "q.keras").exists()


def test_cli_names_the_reason_for_layers_keras_cannot_quantize(tmp_path):
    src = SAMPLES / "digits-cnn.keras"
    if not src.exists():
        pytest.skip(f"{src} missing")
    result = qscope("quantize", src, "-o", tmp_path / "q.keras", "--scheme", "int8", "--dry-run")
    assert result.returncode == 0, result.stderr
    for tensor, cls in [("conv1/kernel", "Conv2D"), ("dw/kernel", "DepthwiseConv2D")]:
        assert f"warning: {tensor}: keras cannot store int8 here: Keras 3 has no int8 form for {cls}" in result.stderr
    assert "fc1/kernel" not in result.stderr
    assert "keep (int8 n/a)" in result.stdout

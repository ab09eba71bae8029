"""Keras → TFLite conversion by `qscope quantize model.keras -o model.tflite`, checked against
Keras' own predictions (LiteRT runs our float file) and against the TF converter's committed
tflite-default files (same quantized tensors, top-1 agreement, size).

Needs QSCOPE_BIN and QSCOPE_ROOT (scripts/test.sh sets them); keras with KERAS_BACKEND=jax and
ai-edge-litert. MobileNetV2's .keras is not committed: the test rebuilds the architecture with
keras.applications and loads the weights of the committed float.tflite into it (BatchNormalization
set to the identity with the folded bias as beta), so Keras, our file and the converter's files
all compute the same function.
"""
import hashlib
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")

QSCOPE = os.environ.get("QSCOPE_BIN")
ROOT = Path(os.environ["QSCOPE_ROOT"]) if os.environ.get("QSCOPE_ROOT") else None
pytestmark = pytest.mark.skipif(not QSCOPE or ROOT is None, reason="QSCOPE_BIN / QSCOPE_ROOT not set")

keras = pytest.importorskip("keras")
litert = pytest.importorskip("ai_edge_litert.interpreter")

REL_TOL = 1e-4


def qscope(*args, check=True):
    result = subprocess.run([QSCOPE, *map(str, args)], capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"qscope {' '.join(map(str, args))} failed ({result.returncode}):\n{result.stderr}")
    return result


def convert(keras_path, out, *mode):
    qscope("quantize", keras_path, "-o", out, *(mode or ("--scheme", "f32")), "--force")
    return out


def interpreter(path, delegates=True):
    resolver = litert.OpResolverType.AUTO if delegates else litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    it = litert.Interpreter(model_path=str(path), num_threads=1, experimental_op_resolver_type=resolver)
    it.allocate_tensors()
    return it


def run_tflite(path, inputs):
    """Runs sample by sample; `inputs` is one array or a list (several model inputs)."""
    it = interpreter(path)
    details = it.get_input_details()
    arrays = inputs if isinstance(inputs, list) else [inputs]
    outs = []
    for i in range(len(arrays[0])):
        for d, x in zip(details, arrays):
            it.set_tensor(d["index"], x[i:i + 1].astype(d["dtype"]))
        it.invoke()
        outs.append([it.get_tensor(o["index"])[0].copy() for o in it.get_output_details()])
    return [np.stack([o[k] for o in outs]) for k in range(len(outs[0]))]


def rel_error(ours, reference):
    return float(np.max(np.abs(ours - reference)) / max(float(np.max(np.abs(reference))), 1e-12))


def quantized_weights(path):
    """(op name, shape, quantized dim, scales, int8 values, tensor name) for each op input stored as int8, in op order."""
    it = interpreter(path, delegates=False)
    details = {d["index"]: d for d in it.get_tensor_details()}
    found = []
    for op in it._get_ops_details():
        for index in op["inputs"]:
            d = details.get(index)
            if d is None or d["dtype"] != np.int8 or not len(d["quantization_parameters"]["scales"]):
                continue
            q = d["quantization_parameters"]
            found.append((op["op_name"], tuple(d["shape"]), int(q["quantized_dimension"]),
                          np.asarray(q["scales"]), it.get_tensor(index).copy(), d["name"]))
    return found


def assert_same_quantized(ours, reference):
    mine, theirs = quantized_weights(ours), quantized_weights(reference)
    assert [(m[0], m[1], m[2]) for m in mine] == [(t[0], t[1], t[2]) for t in theirs]
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m[3], t[3], rtol=1e-5)
        diff = np.abs(m[4].astype(np.int32) - t[4].astype(np.int32))
        # Folded BatchNorm multipliers may differ in the last bit, moving a rounding tie.
        assert diff.max() <= 1 and np.mean(diff > 0) <= 1e-3, f"{m[0]} {m[1]}: {np.mean(diff > 0):.2%} values differ"
    return len(mine)


def constant_bytes(path):
    """Bytes of all constant tensors, as `qscope inspect` counts them."""
    import json
    return json.loads(qscope("inspect", path, "--format", "json").stdout)["totals"]["bytes"]


def assert_size_close(ours, reference):
    """Within 1% of the converter's file: same tensor names, metadata and buffer layout, so only
    the description and small ordering details differ."""
    size, reference_size = Path(ours).stat().st_size, Path(reference).stat().st_size
    assert abs(size - reference_size) <= 0.01 * reference_size, (size, reference_size)


def tensor_names(path):
    return sorted(d["name"] for d in interpreter(path, delegates=False).get_tensor_details())


def top1(a, b):
    return float(np.mean(np.argmax(a, -1) == np.argmax(b, -1)))


# ---------------------------------------------------------------------------------------------
# Sample models and the branchy functional model (committed .keras files)

@pytest.mark.parametrize("name", ["digits-mlp", "digits-cnn"])
def test_sample_model_matches_keras_and_converter(name, tmp_path):
    keras_path = ROOT / "SampleModels" / f"{name}.keras"
    x = np.load(ROOT / "SampleModels" / f"{name}.eval.npz")["x"].astype(np.float32)[:300]
    expected = keras.saving.load_model(keras_path).predict(x, verbose=0)
    ours = run_tflite(convert(keras_path, tmp_path / "float.tflite"), x)[0]
    assert rel_error(ours, expected) <= REL_TOL

    default = convert(keras_path, tmp_path / "default.tflite", "--preset", "tflite-default")
    reference = ROOT / "SampleModels" / "reference" / f"{name}.tflite-default.tflite"
    assert assert_same_quantized(default, reference) >= 2
    assert top1(run_tflite(default, x)[0], run_tflite(reference, x)[0]) >= 0.99
    assert_size_close(default, reference)
    # The converter's names for the same model: scopes, fused ";" lists, Flatten's shape chain.
    assert [m[5] for m in quantized_weights(default)] == [t[5] for t in quantized_weights(reference)]
    assert tensor_names(default) == tensor_names(reference)

    f16 = convert(keras_path, tmp_path / "f16.tflite", "--preset", "tflite-float16")
    assert rel_error(run_tflite(f16, x)[0], expected) <= 1e-2


def test_branchy_functional_model(tmp_path):
    folder = ROOT / "Tests" / "Interop" / "fixtures" / "branchy"
    x = np.load(folder / "inputs.npy").astype(np.float32)
    ours = run_tflite(convert(folder / "branchy.keras", tmp_path / "float.tflite"), x)[0]
    assert rel_error(ours, np.load(folder / "keras_out.npy")) <= REL_TOL
    it = interpreter(tmp_path / "float.tflite", False)
    runner = it.get_signature_list()["serving_default"]
    assert runner["inputs"] == ["image"] and runner["outputs"] == ["fc2"]
    ops = [op["op_name"] for op in it._get_ops_details()]
    reference_ops = [op["op_name"] for op in interpreter(folder / "float.tflite", False)._get_ops_details()]
    assert ops == reference_ops  # same fusions (ADD+RELU6, conv+BN) and op choices

    default = convert(folder / "branchy.keras", tmp_path / "default.tflite", "--preset", "tflite-default")
    assert assert_same_quantized(default, folder / "tflite-default.tflite") == 3
    assert_size_close(default, folder / "tflite-default.tflite")
    assert top1(run_tflite(default, x)[0], np.load(folder / "tflite_default_out.npy")) >= 0.99


# ---------------------------------------------------------------------------------------------
# MobileNetV2 (alpha 0.35, 96×96), rebuilt from the committed float.tflite


MOBILENET = (ROOT / "Tests" / "Interop" / "fixtures" / "mobilenetv2-035-96") if ROOT else None


def mobilenet_from_float_tflite(path):
    """keras.applications.MobileNetV2 with the (BN-folded) weights of the converter's float file."""
    model = keras.applications.MobileNetV2(alpha=0.35, input_shape=(96, 96, 3), weights=None)
    it = interpreter(path, delegates=False)
    details = {d["index"]: d for d in it.get_tensor_details()}
    by_layer = {}
    for op in it._get_ops_details():
        if op["op_name"] not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            continue
        w = details[op["inputs"][1]]
        weights = it.get_tensor(w["index"])
        channels = weights.shape[-1] if op["op_name"] == "DEPTHWISE_CONV_2D" else weights.shape[0]
        bias_index = op["inputs"][2] if len(op["inputs"]) > 2 else -1
        bias = it.get_tensor(bias_index) if bias_index >= 0 else np.zeros(channels, np.float32)
        for part in w["name"].split(";"):
            segments = part.split("/")
            if len(segments) >= 3 and segments[-1].rstrip("0123456789") in ("convolution", "depthwise", "MatMul"):
                by_layer[segments[-2].removesuffix("_1")] = (weights, bias)
    layers = {layer.name: layer for layer in model.layers}
    for layer in model.layers:
        if layer.name not in by_layer:
            continue
        w, b = by_layer[layer.name]
        if isinstance(layer, keras.layers.DepthwiseConv2D):
            layer.set_weights([np.transpose(w, (1, 2, 3, 0))] + ([b] if layer.use_bias else []))
        elif isinstance(layer, keras.layers.Conv2D):
            layer.set_weights([np.transpose(w, (1, 2, 3, 0))] + ([b] if layer.use_bias else []))
        else:
            layer.set_weights([w.T, b])
        if not layer.use_bias:
            bn = next(l for l in model.layers if l.name in (layer.name + "_BN", layer.name + "_bn", "bn_" + layer.name))
            eps = np.float32(bn.epsilon)
            variance = np.float32(1) - eps
            assert np.float32(variance + eps) == np.float32(1)
            n = len(b)
            bn.set_weights([np.ones(n, np.float32), b, np.zeros(n, np.float32), np.full(n, variance, np.float32)])
    weighted = {l.name for l in model.layers if l.weights and not isinstance(l, keras.layers.BatchNormalization)}
    assert set(by_layer) == weighted and all(name in layers for name in by_layer)
    return model


@pytest.fixture(scope="module")
def mobilenet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mobilenet")
    model = mobilenet_from_float_tflite(MOBILENET / "float.tflite")
    path = folder / "mobilenetv2.keras"
    model.save(path)
    return path, model


def test_mobilenet_float_matches_keras(mobilenet, tmp_path):
    path, model = mobilenet
    x = np.load(MOBILENET / "inputs.npy").astype(np.float32)
    ours = run_tflite(convert(path, tmp_path / "float.tflite"), x)[0]
    assert rel_error(ours, model.predict(x, verbose=0)) <= REL_TOL
    # The committed predictions of the original (seeded) Keras model: same function.
    assert rel_error(ours, np.load(MOBILENET / "keras_out.npy")) <= REL_TOL
    ops = [op["op_name"] for op in interpreter(tmp_path / "float.tflite", False)._get_ops_details()]
    assert ops == [op["op_name"] for op in interpreter(MOBILENET / "float.tflite", False)._get_ops_details()]


def test_mobilenet_tflite_default_matches_converter(mobilenet, tmp_path):
    path, _ = mobilenet
    x = np.load(MOBILENET / "inputs.npy").astype(np.float32)
    reference = MOBILENET / "tflite-default.tflite"
    ours = convert(path, tmp_path / "default.tflite", "--preset", "tflite-default")
    assert assert_same_quantized(ours, reference) == 38
    assert top1(run_tflite(ours, x)[0], np.load(MOBILENET / "tflite_default_out.npy")) >= 0.99
    # Fused tensor names ("a/b/Relu6;a/bn/batchnorm/add_1;…", ~300 bytes each) are ~1.7% of it.
    assert_size_close(ours, reference)
    assert abs(constant_bytes(ours) - constant_bytes(reference)) <= 0.01 * constant_bytes(reference)


# ---------------------------------------------------------------------------------------------
# Every supported layer on a small generated model: LiteRT runs our float file, Keras predicts.


def _seq(shape, *layers):
    return keras.Sequential([keras.Input(shape)] + list(layers))


def _branches():
    L = keras.layers
    a = keras.Input((8, 8, 3), name="a")
    b = keras.Input((8, 8, 3), name="b")
    x = L.Conv2D(4, 3, padding="same", name="ca")(a)
    y = L.Conv2D(4, 3, padding="same", name="cb")(b)
    outs = [L.Add()([x, y]), L.Subtract()([x, y]), L.Multiply()([x, y]), L.Average()([x, y, x]),
            L.Maximum()([x, y]), L.Minimum()([x, y]), L.Concatenate(axis=1)([x, y])]
    flat = L.Concatenate()([L.Flatten()(o) for o in outs])
    return keras.Model([a, b], [L.Dense(5, name="head")(flat), L.GlobalMaxPooling2D(name="gmp")(x)])


def _nested():
    """A Sequential backbone shared by two inputs and a Functional head, both used as layers."""
    L = keras.layers
    backbone = keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3, padding="same", use_bias=False),
                                 L.BatchNormalization(), L.ReLU(6.0), L.GlobalAveragePooling2D()], name="backbone")
    features = keras.Input((4,))
    hidden = L.Dense(5, activation="relu", name="hidden")(features)
    head = keras.Model(features, L.Dense(3, activation="softmax", name="probs")(hidden), name="head")
    a = keras.Input((8, 8, 3), name="a")
    b = keras.Input((8, 8, 3), name="b")
    return keras.Model([a, b], head(L.Add(name="both")([backbone(a), backbone(b)])))


def _layer_models():
    L = keras.layers
    return {
        "grouped_conv": _seq((8, 8, 8), L.Conv2D(12, 3, groups=4, padding="same", activation="relu"),
                             L.Conv2D(6, 1, groups=2), L.Reshape((64, 6)),
                             L.Conv1D(6, 3, groups=3, padding="causal"), L.Conv1D(4, 2, strides=2, groups=2)),
        "transpose_output_padding": _seq((5, 5, 3),
                                         L.Conv2DTranspose(4, 3, strides=2, padding="same", output_padding=1),
                                         L.Conv2DTranspose(3, 3, strides=3, padding="valid", output_padding=2),
                                         L.Conv2DTranspose(2, 2, strides=(2, 1), padding="valid", output_padding=(1, 0)),
                                         L.Conv2DTranspose(2, 5, strides=2, padding="same", output_padding=0)),
        "nested": _nested(),
        "dense_rank3": _seq((5, 6), L.Dense(7, activation="gelu"), L.Dense(3, use_bias=False)),
        "conv1d": _seq((12, 3), L.Conv1D(4, 3, strides=2, padding="same", activation="relu"),
                       L.Conv1D(5, 2, padding="causal", dilation_rate=2), L.MaxPooling1D(2),
                       L.AveragePooling1D(2, padding="same"), L.GlobalAveragePooling1D()),
        "conv2d_variants": _seq((10, 10, 3), L.Conv2D(6, 3, strides=2, padding="valid", activation="relu6"),
                                L.Conv2D(6, 3, dilation_rate=2, padding="same", activation="tanh"),
                                L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="sigmoid"),
                                L.SeparableConv2D(5, 3, padding="same", activation="elu"),
                                L.GlobalAveragePooling2D(keepdims=True), L.Flatten()),
        "transpose_conv": _seq((5, 5, 3), L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
                               L.Conv2DTranspose(2, 3, strides=2, padding="valid")),
        "pool_pad_upsample": _seq((9, 9, 3), L.ZeroPadding2D(((1, 0), (2, 1))), L.MaxPooling2D(2, padding="same"),
                                  L.AveragePooling2D(2, strides=1), L.UpSampling2D(2),
                                  L.UpSampling2D((2, 3), interpolation="bilinear"), L.GlobalMaxPooling2D()),
        "activations": _seq((16,), L.Dense(16), L.Activation("hard_sigmoid"), L.Dense(16), L.Activation("hard_swish"),
                            L.Dense(16), L.Activation("silu"), L.Dense(16), L.Activation("leaky_relu"),
                            L.Dense(16), L.ReLU(max_value=3.0, negative_slope=0.1), L.LeakyReLU(0.2),
                            L.Dense(16), L.PReLU(), L.ELU(), L.Dense(4), L.Softmax()),
        "norms": _seq((6, 6, 4), L.Rescaling(1 / 127.5, offset=-1), L.BatchNormalization(), L.LayerNormalization(),
                      L.Conv2D(4, 1), L.BatchNormalization(), L.Dropout(0.5), L.Reshape((36, 4)), L.Permute((2, 1)),
                      L.ZeroPadding1D(1), L.Flatten()),
        "normalization": _seq((5,), L.Normalization(mean=[1, 2, 3, 4, 5], variance=[1, 4, 9, 16, 0.25]), L.Dense(3)),
        "embedding": _seq((6,), L.Embedding(20, 4), L.Flatten(), L.Dense(3)),
        "branches": _branches(),
    }


LAYER_MODELS = sorted(_layer_models().keys()) if keras else []


def _randomize(model, rng):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            _randomize(layer, rng)
            continue
        weights = layer.get_weights()
        if isinstance(layer, keras.layers.BatchNormalization):
            n = weights[0].shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, n), rng.normal(0, 0.3, n), rng.normal(0, 0.3, n),
                               rng.uniform(0.5, 2.0, n)])
        elif weights and not isinstance(layer, keras.layers.Normalization):
            layer.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in weights])


@pytest.mark.parametrize("name", LAYER_MODELS)
def test_layer_conversion_matches_keras(name, tmp_path):
    rng = np.random.default_rng(7)
    model = _layer_models()[name]
    _randomize(model, rng)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    if name == "embedding":
        inputs = [rng.integers(0, 20, size=(6, 6)).astype(np.float32)]
    else:
        inputs = [rng.uniform(-2, 2, size=(6,) + tuple(i.shape[1:])).astype(np.float32) for i in model.inputs]
    expected = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    expected = expected if isinstance(expected, list) else [expected]
    ours = run_tflite(convert(path, tmp_path / "float.tflite"), inputs)
    assert len(ours) == len(expected)
    for o, e in zip(ours, expected):
        assert rel_error(o, np.asarray(e)) <= REL_TOL, name
    # Quantization through the TFLite writer works on every converted model.
    default = convert(path, tmp_path / "default.tflite", "--preset", "tflite-default")
    run_tflite(default, inputs)
    int8 = convert(path, tmp_path / "int8.tflite", "--scheme", "int8")
    run_tflite(int8, inputs)


def test_unconvertible_model_lists_every_layer(tmp_path):
    L = keras.layers
    inputs = keras.Input((8, 8, 3))
    x = L.Conv2D(4, 3)(inputs)
    x = L.Conv2D(4, 1, activation="softplus", name="soft")(x)
    # Inside a nested model the layer is named by its path.
    recurrent = keras.Sequential([keras.Input((36, 4)), L.LSTM(3, go_backwards=True, name="rnn")], name="encoder")
    x = recurrent(L.Reshape((36, 4))(x))
    x = L.Dense(2, name="head")(x)
    model = keras.Model(inputs, L.GaussianDropout(0.1)(L.Activation("selu", name="selu_act")(x)))
    path = tmp_path / "bad.keras"
    model.save(path)
    out = tmp_path / "bad.tflite"
    result = qscope("quantize", path, "-o", out, "--preset", "tflite-default", check=False)
    assert result.returncode == 1
    message = result.stderr.strip().splitlines()[-1]
    for layer in ("soft", "encoder/rnn", "selu_act"):
        assert f"'{layer}'" in message
    assert "3 layers cannot be converted" in message
    assert not out.exists()

#!/usr/bin/env python3
"""Generate QuantScope's committed sample models and converter reference outputs.

CI never runs this script: everything it writes is committed. Run it by hand in a
virtualenv made from scripts/requirements-samples.txt:

    python3.11 -m venv /work/venv-tf
    /work/venv-tf/bin/pip install -r scripts/requirements-samples.txt
    /work/venv-tf/bin/python scripts/make-sample-models.py            # everything
    /work/venv-tf/bin/python scripts/make-sample-models.py --parts digits
    /work/venv-tf/bin/python scripts/make-sample-models.py --parts mobilenet,branchy

Parts:
  digits     digits-mlp / digits-cnn in .keras, legacy .h5, .tflite, .safetensors, eval data,
             converter references (dynamic range, float16), Tests/Interop/fixtures/*.reference.json,
             SampleModels/accuracy.json and SampleModels/README.md
  mobilenet  Tests/Interop/fixtures/mobilenetv2-035-96/ (random-init MobileNetV2, converter outputs,
             converter timing)
  branchy    Tests/Interop/fixtures/branchy/ (small functional model with Add/Concatenate branches)
  timing     re-time the converter on an existing mobilenetv2.keras (converter-timing.json)
"""

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

# Must be set before TensorFlow is imported: oneDNN's fused kernels change float round-off
# between runs/machines, and the logs drown the script's own output.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "SampleModels"
REFERENCE = SAMPLES / "reference"
FIXTURES = REPO / "Tests" / "Interop" / "fixtures"
SEED = 20241130
TEST_SIZE = 360


# --------------------------------------------------------------------------------------------
# Setup


def import_tf():
    import tensorflow as tf
    import keras

    tf.get_logger().setLevel("ERROR")
    return tf, keras


def set_seeds(seed=SEED):
    tf, keras = import_tf()
    import random

    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
    keras.utils.set_random_seed(seed)
    try:
        tf.config.experimental.enable_op_determinism()
    except Exception as error:  # older TF: best effort only
        print(f"op determinism unavailable: {error}")


def versions():
    import importlib.metadata as md

    names = ["tensorflow-cpu", "tensorflow", "keras", "numpy", "h5py", "scikit-learn", "safetensors",
             "ai-edge-litert", "flatbuffers"]
    found = {}
    for name in names:
        try:
            found[name] = md.version(name)
        except md.PackageNotFoundError:
            pass
    found["python"] = platform.python_version()
    return found


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform()}


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def write_bytes(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"  wrote {path.relative_to(REPO)} ({len(data):,} bytes)")


def write_json(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n")
    print(f"  wrote {path.relative_to(REPO)}")


# --------------------------------------------------------------------------------------------
# Data


def digits_split():
    """sklearn's bundled 8x8 digits, scaled to [0,1], stratified 1437/360 split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images.astype(np.float32) / 16.0).reshape(-1, 8, 8, 1)
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_SIZE, stratify=y, random_state=0)
    return (np.ascontiguousarray(x_train), y_train), (np.ascontiguousarray(x_test), y_test)


# --------------------------------------------------------------------------------------------
# Models


def build_mlp(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input((8, 8, 1), name="image"),
        layers.Flatten(name="flatten"),
        layers.Dense(128, activation="relu", name="fc1"),   # kernel 64x128 = 8192 (quantized)
        layers.Dense(32, activation="relu", name="fc2"),    # kernel 128x32 = 4096 (quantized)
        layers.Dense(10, activation="softmax", name="fc3"),  # kernel 32x10 = 320 (stays float)
    ], name="digits_mlp")


def build_cnn(keras):
    layers = keras.layers
    inputs = keras.Input((8, 8, 1), name="image")
    x = layers.Conv2D(16, 3, padding="same", use_bias=False, name="conv1")(inputs)  # 144
    x = layers.BatchNormalization(name="bn1")(x)
    x = layers.ReLU(name="relu1")(x)
    x = layers.DepthwiseConv2D(3, padding="same", activation="relu", name="dw")(x)  # 144
    # 1x1x16x64 = exactly 1024 elements: sits on the dynamic-range threshold (quantized).
    x = layers.Conv2D(64, 1, activation="relu", name="pw")(x)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2")(x)  # 18432
    x = layers.AveragePooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(64, activation="relu", name="fc1")(x)  # 128x64 = 8192
    outputs = layers.Dense(10, activation="softmax", name="fc2")(x)  # 640
    return keras.Model(inputs, outputs, name="digits_cnn")


def train(keras, model, train_data, epochs):
    x, y = train_data
    model.compile(optimizer=keras.optimizers.Adam(1e-2 if epochs <= 30 else 5e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=32, shuffle=True, verbose=0)


# --------------------------------------------------------------------------------------------
# Safetensors (PyTorch naming and layouts)


def torch_state_dict(model):
    """Map Keras weights to PyTorch module conventions.

    Dense [in,out] -> [out,in]; Conv2D HWIO -> OIHW; DepthwiseConv2D [kh,kw,C,M] -> [C*M,1,kh,kw];
    BatchNormalization -> weight/bias/running_mean/running_var. A Dense fed by Flatten of an
    NHWC feature map gets its input columns permuted to NCHW order, so the tensors form a real
    PyTorch-equivalent network, not just renamed Keras arrays.
    """
    from keras import layers as L

    state = {}
    for layer in model.layers:
        weights = [np.asarray(w) for w in layer.get_weights()]
        name = layer.name
        if isinstance(layer, L.Dense):
            kernel = weights[0]
            previous = _flatten_source_shape(model, layer)
            if previous is not None:
                h, w, c = previous
                kernel = kernel.reshape(h, w, c, -1).transpose(2, 0, 1, 3).reshape(h * w * c, -1)
            state[f"{name}.weight"] = kernel.T
            if layer.use_bias:
                state[f"{name}.bias"] = weights[1]
        elif isinstance(layer, L.DepthwiseConv2D):
            kh, kw, c, m = weights[0].shape
            state[f"{name}.weight"] = weights[0].reshape(kh, kw, c * m).transpose(2, 0, 1)[:, None, :, :]
            if layer.use_bias:
                state[f"{name}.bias"] = weights[1]
        elif isinstance(layer, L.Conv2D):
            state[f"{name}.weight"] = weights[0].transpose(3, 2, 0, 1)
            if layer.use_bias:
                state[f"{name}.bias"] = weights[1]
        elif isinstance(layer, L.BatchNormalization):
            values = list(weights)
            if layer.scale:
                state[f"{name}.weight"] = values.pop(0)
            if layer.center:
                state[f"{name}.bias"] = values.pop(0)
            state[f"{name}.running_mean"] = values.pop(0)
            state[f"{name}.running_var"] = values.pop(0)
        elif weights:
            raise ValueError(f"no PyTorch mapping for layer {name} ({type(layer).__name__})")
    return {k: np.ascontiguousarray(v.astype(np.float32)) for k, v in state.items()}


def _flatten_source_shape(model, dense):
    """(H, W, C) when `dense` directly follows a Flatten of a rank-4 tensor with C > 1."""
    from keras import layers as L

    index = model.layers.index(dense)
    if index == 0:
        return None
    previous = model.layers[index - 1]
    if not isinstance(previous, L.Flatten):
        return None
    shape = tuple(previous.input.shape[1:])
    if len(shape) != 3 or shape[2] == 1:
        return None
    return shape


# --------------------------------------------------------------------------------------------
# TFLite conversion and inspection


def convert(tf, model, mode):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode in ("default", "float16"):
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [tf.float16]
    return converter.convert()


def _enum_names(cls):
    return {value: key for key, value in vars(cls).items() if not key.startswith("_") and isinstance(value, int)}


def describe_tflite(data):
    """Which tensors the converter stored as non-float32 constants, and where they are used."""
    from tensorflow.lite.python import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    op_names = _enum_names(schema.BuiltinOperator)
    type_names = _enum_names(schema.TensorType)
    codes = []
    for code in model.operatorCodes:
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        codes.append({"op": op_names.get(builtin, str(builtin)), "version": code.version})
    metadata = {}
    for entry in model.metadata or []:
        name = entry.name.decode() if isinstance(entry.name, bytes) else entry.name
        raw = model.buffers[entry.buffer].data
        raw = bytes(raw) if raw is not None else b""
        if name == "min_runtime_version":
            metadata[name] = raw.split(b"\0", 1)[0].decode()
        else:
            metadata[name] = f"{len(raw)} bytes"

    graph = model.subgraphs[0]

    def tensor_name(index):
        name = graph.tensors[index].name
        return name.decode() if isinstance(name, bytes) else name

    consumers = {}
    operators = []
    for op_index, op in enumerate(graph.operators):
        code = codes[op.opcodeIndex]
        entry = {"index": op_index, "op": code["op"], "version": code["version"],
                 "inputs": [tensor_name(i) if i >= 0 else None for i in op.inputs],
                 "outputs": [tensor_name(i) for i in op.outputs]}
        options = op.builtinOptions
        if options is not None and hasattr(options, "asymmetricQuantizeInputs"):
            entry["asymmetric_quantize_inputs"] = bool(options.asymmetricQuantizeInputs)
        operators.append(entry)
        for position, tensor in enumerate(op.inputs):
            if tensor >= 0:
                consumers.setdefault(tensor, []).append(
                    {"op_index": op_index, "op": code["op"], "version": code["version"], "input": position})

    constants = []
    for index, tensor in enumerate(graph.tensors):
        raw = model.buffers[tensor.buffer].data if tensor.buffer < len(model.buffers) else None
        if raw is None or len(raw) == 0:
            continue
        raw = bytes(np.asarray(raw, dtype=np.uint8))
        q = tensor.quantization
        scales = [] if q is None or q.scale is None else [float(s) for s in q.scale]
        zero_points = [] if q is None or q.zeroPoint is None else [int(z) for z in q.zeroPoint]
        shape = [] if tensor.shape is None else [int(d) for d in tensor.shape]
        elements = int(np.prod(shape)) if shape else 1
        constants.append({
            "tensor_index": index,
            "name": tensor_name(index),
            "type": type_names.get(tensor.type, str(tensor.type)),
            "shape": shape,
            "elements": elements,
            "scales_count": len(scales),
            "quantized_dimension": int(q.quantizedDimension) if scales else None,
            "scales": scales,
            "zero_points_all_zero": all(z == 0 for z in zero_points) if zero_points else None,
            "data_sha256": sha256(raw),
            "consumers": consumers.get(index, []),
        })
    stored = [c for c in constants if c["type"] not in ("FLOAT32", "INT32")]
    float_weights = [
        {"name": c["name"], "shape": c["shape"], "elements": c["elements"], "consumers": c["consumers"]}
        for c in constants if c["type"] == "FLOAT32"]
    return {
        "bytes": len(data),
        "sha256": sha256(data),
        "min_runtime_version": metadata.get("min_runtime_version"),
        "metadata": metadata,
        "operator_codes": codes,
        "operators": operators,
        "converted_constants": stored,
        "float32_constants": float_weights,
        "inputs": [tensor_name(i) for i in graph.inputs],
        "outputs": [tensor_name(i) for i in graph.outputs],
    }


def run_tflite(data, x):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=data, num_threads=1)
    input_detail = interpreter.get_input_details()[0]
    interpreter.resize_tensor_input(input_detail["index"], list(x.shape))
    interpreter.allocate_tensors()
    interpreter.set_tensor(input_detail["index"], x)
    interpreter.invoke()
    return np.array(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))


# --------------------------------------------------------------------------------------------
# Part: digits


def digits_part(tf, keras):
    import h5py
    from safetensors.numpy import save_file

    (x_train, y_train), (x_test, y_test) = digits_split()
    print(f"digits: train {x_train.shape}, test {x_test.shape}")
    SAMPLES.mkdir(parents=True, exist_ok=True)
    np.savez(SAMPLES / "digits-test.npz", x=x_test, y=y_test)

    summary = {"generator": {"script": "scripts/make-sample-models.py", "seed": SEED,
                             "versions": versions(), "machine": machine()},
               "test_samples": int(len(y_test)), "models": {}}
    builders = {"digits-mlp": (build_mlp, 60), "digits-cnn": (build_cnn, 40)}
    for name, (builder, epochs) in builders.items():
        print(f"== {name}")
        set_seeds()
        model = builder(keras)
        train(keras, model, (x_train, y_train), epochs)
        keras_probs = model.predict(x_test, verbose=0)

        model.save(SAMPLES / f"{name}.keras")
        model.save(SAMPLES / f"{name}.h5")
        with h5py.File(SAMPLES / f"{name}.h5", "r") as h5:
            if "model_config" not in h5.attrs or "model_weights" not in h5:
                raise RuntimeError(f"{name}.h5 is not a legacy full-model HDF5 file")
        save_file(torch_state_dict(model), str(SAMPLES / f"{name}.safetensors"), metadata={"format": "pt"})
        np.savez(SAMPLES / f"{name}.eval.npz", x=x_test, y=y_test)

        results = {"keras_float": float(np.mean(np.argmax(keras_probs, 1) == y_test))}
        max_diff = {}
        references = {}
        for mode, path in (("float", SAMPLES / f"{name}.tflite"),
                           ("default", REFERENCE / f"{name}.tflite-default.tflite"),
                           ("float16", REFERENCE / f"{name}.tflite-float16.tflite")):
            data = convert(tf, model, mode)
            write_bytes(path, data)
            probs = run_tflite(data, x_test)
            key = {"float": "tflite_float", "default": "tflite_default", "float16": "tflite_float16"}[mode]
            results[key] = float(np.mean(np.argmax(probs, 1) == y_test))
            max_diff[key] = float(np.max(np.abs(probs - keras_probs)))
            references[{"float": "float", "default": "tflite-default", "float16": "tflite-float16"}[mode]] = {
                "file": str(path.relative_to(REPO)), **describe_tflite(data)}
        layers = [{"name": layer.name, "class": type(layer).__name__,
                   "weights": [list(w.shape) for w in layer.get_weights()]}
                  for layer in model.layers]
        converter_notes = {}
        for mode, ref in references.items():
            converter_notes[mode] = {
                "bytes": ref["bytes"], "min_runtime_version": ref["min_runtime_version"],
                "op_versions": {c["op"]: c["version"] for c in ref["operator_codes"]},
                "converted": [{"name": c["name"], "type": c["type"], "shape": c["shape"],
                               "scales": c["scales_count"], "quantized_dimension": c["quantized_dimension"],
                               "consumer": f"{c['consumers'][0]['op']} v{c['consumers'][0]['version']}"
                               if c["consumers"] else None}
                              for c in ref["converted_constants"]]}
        summary["models"][name] = {
            "params": int(model.count_params()), "epochs": epochs, "accuracy": results,
            "max_abs_prob_diff_vs_keras": max_diff, "layers": layers, "converter": converter_notes}
        write_json(FIXTURES / f"{name}.reference.json", {
            "model": name, "source": f"SampleModels/{name}.keras",
            "converter": {"tensorflow": tf.__version__, "api": "TFLiteConverter.from_keras_model"},
            "modes": {
                "float": "no optimizations",
                "tflite-default": "optimizations=[Optimize.DEFAULT], no representative dataset (dynamic range)",
                "tflite-float16": "optimizations=[Optimize.DEFAULT], supported_types=[float16]"},
            "conversions": references})
        print(f"  accuracy {results}")
    write_json(SAMPLES / "accuracy.json", summary)
    write_readme(summary)


# --------------------------------------------------------------------------------------------
# Part: MobileNetV2


MOBILENET_DIR = FIXTURES / "mobilenetv2-035-96"
TIMING_CHILD = r"""
import os, sys, time, json
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
w0, c0 = time.perf_counter(), time.process_time()
import tensorflow as tf
import keras
w1, c1 = time.perf_counter(), time.process_time()
model = keras.models.load_model(sys.argv[1])
w2, c2 = time.perf_counter(), time.process_time()
converter = tf.lite.TFLiteConverter.from_keras_model(model)
converter.optimizations = [tf.lite.Optimize.DEFAULT]
data = converter.convert()
w3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({"import_s": w1 - w0, "load_keras_s": w2 - w1, "convert_s": w3 - w2,
                  "import_cpu_s": c1 - c0, "load_keras_cpu_s": c2 - c1, "convert_cpu_s": c3 - c2,
                  "bytes": len(data)}))
"""


def converter_timing(keras_path, runs=5, in_process_convert_s=None):
    """Time the TF converter (dynamic range) on a saved model, each run in a fresh interpreter.

    Wall and CPU time per phase: the machine has 2 cores shared with other builds, so wall time is
    noisy; CPU time (all threads of the child) is the steadier figure to compare against.
    """
    samples = []
    for _ in range(runs):
        load_before = os.getloadavg()[0]
        result = subprocess.run([sys.executable, "-c", TIMING_CHILD, str(keras_path)],
                                capture_output=True, text=True, check=True)
        run = json.loads(result.stdout.strip().splitlines()[-1])
        run["loadavg_1min_before"] = load_before
        samples.append(run)

    def median(key):
        return float(np.median([r[key] for r in samples]))

    timing = {
        "what": "TFLiteConverter.from_keras_model + Optimize.DEFAULT (dynamic range) on MobileNetV2 "
                "alpha=0.35 96x96 (mobilenetv2.keras); each run a fresh Python subprocess; *_cpu_s is "
                "process CPU time (all threads)",
        "runs": samples,
        "median_convert_s": median("convert_s"),
        "median_convert_cpu_s": median("convert_cpu_s"),
        "median_import_tf_s": median("import_s"),
        "median_load_keras_s": median("load_keras_s"),
        "median_total_with_import_s": float(np.median(
            [r["import_s"] + r["load_keras_s"] + r["convert_s"] for r in samples])),
        "min_convert_s": float(min(r["convert_s"] for r in samples)),
        "versions": versions(), "machine": machine(),
    }
    if in_process_convert_s is not None:
        timing["in_process_second_conversion_s"] = in_process_convert_s
    write_json(MOBILENET_DIR / "converter-timing.json", timing)


def calibrate_batch_norm(keras, model, x, rng):
    """Give a random-init network live activations.

    Fresh BatchNormalization layers (mean 0, variance 1) let MobileNetV2's signal decay until every
    logit is equal and softmax is exactly 1/1000 — useless as a reference. Layer by layer, in
    topological order, set each BN's moving statistics to the batch statistics of its actual input
    and draw gamma/beta at random, so every BN folds into non-trivial conv weights and biases.
    """
    for layer in model.layers:
        if not isinstance(layer, keras.layers.BatchNormalization):
            continue
        probe = keras.Model(model.inputs, layer.input)
        activations = np.asarray(probe(x, training=False))
        axes = tuple(range(activations.ndim - 1))
        channels = activations.shape[-1]
        gamma = rng.uniform(0.5, 1.5, channels).astype(np.float32)
        beta = rng.normal(0.1, 0.2, channels).astype(np.float32)
        layer.set_weights([gamma, beta, activations.mean(axes).astype(np.float32),
                           activations.var(axes).astype(np.float32)])


def mobilenet_part(tf, keras, keep_keras=None):
    print("== mobilenetv2-035-96")
    set_seeds()
    model = keras.applications.MobileNetV2(alpha=0.35, input_shape=(96, 96, 3), weights=None)
    rng = np.random.default_rng(SEED)
    calibrate_batch_norm(keras, model, rng.uniform(-1.0, 1.0, size=(32, 96, 96, 3)).astype(np.float32), rng)
    MOBILENET_DIR.mkdir(parents=True, exist_ok=True)
    keras_path = MOBILENET_DIR / "mobilenetv2.keras"
    model.save(keras_path)
    inputs = rng.uniform(-1.0, 1.0, size=(20, 96, 96, 3)).astype(np.float32)
    np.save(MOBILENET_DIR / "inputs.npy", inputs)
    keras_out = model.predict(inputs, verbose=0).astype(np.float32)
    np.save(MOBILENET_DIR / "keras_out.npy", keras_out)

    float_data = convert(tf, model, "float")
    write_bytes(MOBILENET_DIR / "float.tflite", float_data)
    start = time.perf_counter()
    default_data = convert(tf, model, "default")
    in_process_convert = time.perf_counter() - start
    write_bytes(MOBILENET_DIR / "tflite-default.tflite", default_data)
    float_out = run_tflite(float_data, inputs)
    default_out = run_tflite(default_data, inputs)
    np.save(MOBILENET_DIR / "tflite_default_out.npy", default_out.astype(np.float32))

    converter_timing(keras_path, in_process_convert_s=in_process_convert)
    info = {
        "model": "keras.applications.MobileNetV2(alpha=0.35, input_shape=(96,96,3), weights=None)",
        "seed": SEED, "params": int(model.count_params()),
        "batch_norm": "moving stats set from 32 random inputs layer by layer; gamma U[0.5,1.5], "
                      "beta N(0.1,0.2) (see calibrate_batch_norm)",
        "inputs": "inputs.npy: 20 x 96x96x3 float32, uniform [-1,1], numpy default_rng(seed) after "
                  "the 32 calibration inputs",
        "max_abs_diff_float_tflite_vs_keras": float(np.max(np.abs(float_out - keras_out))),
        "max_abs_diff_default_vs_keras": float(np.max(np.abs(default_out - keras_out))),
        "top1_agreement_default_vs_keras": float(np.mean(np.argmax(default_out, 1) == np.argmax(keras_out, 1))),
        "keras_out_max_prob_range": [float(keras_out.max(1).min()), float(keras_out.max(1).max())],
        "float": describe_tflite(float_data),
        "tflite-default": describe_tflite(default_data),
    }
    # Per-op listings of a 100+ op graph are noise here; keep the quantized-tensor table.
    for key in ("float", "tflite-default"):
        info[key].pop("operators")
    write_json(MOBILENET_DIR / "reference.json", info)
    total = sum(p.stat().st_size for p in MOBILENET_DIR.iterdir() if p.is_file())
    print(f"  fixture folder total {total:,} bytes")
    if keep_keras is False or (keep_keras is None and total > 8 * 1024 * 1024):
        keras_path.unlink()
        print("  removed mobilenetv2.keras (size budget > 8 MiB); rerun this part to regenerate it")


# --------------------------------------------------------------------------------------------
# Part: branchy functional model


BRANCHY_DIR = FIXTURES / "branchy"


def build_branchy(keras):
    layers = keras.layers
    inputs = keras.Input((16, 16, 3), name="image")
    stem = layers.Conv2D(16, 3, padding="same", activation="relu", name="stem")(inputs)
    a = layers.Conv2D(16, 3, padding="same", name="branch_a")(stem)
    b = layers.Conv2D(16, 1, name="branch_b")(stem)
    added = layers.Add(name="add")([a, b])
    added = layers.ReLU(max_value=6.0, name="relu6")(added)
    c = layers.DepthwiseConv2D(3, padding="same", activation="sigmoid", name="branch_c")(added)
    d = layers.Conv2D(16, 1, activation="tanh", name="branch_d")(added)
    e = layers.LeakyReLU(negative_slope=0.1, name="leaky")(added)
    merged = layers.Concatenate(name="concat")([c, d, e])
    x = layers.Conv2D(32, 3, strides=2, padding="same", name="down")(merged)  # 3*3*48*32 = 13824
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Activation("elu", name="elu")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(64, activation="relu", name="fc1")(x)  # 32*64 = 2048
    outputs = layers.Dense(5, activation="softmax", name="fc2")(x)
    return keras.Model(inputs, outputs, name="branchy")


BRANCHY_REGIONS = [(slice(0, 8), slice(0, 8), 0), (slice(0, 8), slice(8, 16), 1), (slice(8, 16), slice(0, 8), 2),
                   (slice(8, 16), slice(8, 16), 0), (slice(4, 12), slice(4, 12), 1)]


def branchy_data(rng, count):
    """Noise images in [0,0.6) with one of five region/channel patches brightened: class = patch."""
    x = rng.uniform(0.0, 0.6, size=(count, 16, 16, 3)).astype(np.float32)
    y = rng.integers(0, len(BRANCHY_REGIONS), size=count).astype(np.int64)
    for i, label in enumerate(y):
        rows, cols, channel = BRANCHY_REGIONS[label]
        x[i, rows, cols, channel] += np.float32(0.4)
    return x, y


def branchy_part(tf, keras):
    print("== branchy")
    set_seeds()
    model = build_branchy(keras)
    rng = np.random.default_rng(SEED)
    # A learnable synthetic task, so outputs depend on the input (random labels would teach it the
    # class prior) and BN statistics and biases move away from their initial values.
    x_train, y_train = branchy_data(rng, 1024)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
    BRANCHY_DIR.mkdir(parents=True, exist_ok=True)
    model.save(BRANCHY_DIR / "branchy.keras")
    inputs, labels = branchy_data(rng, 16)
    np.save(BRANCHY_DIR / "inputs.npy", inputs)
    np.save(BRANCHY_DIR / "labels.npy", labels)
    keras_out = model.predict(inputs, verbose=0).astype(np.float32)
    np.save(BRANCHY_DIR / "keras_out.npy", keras_out)
    float_data = convert(tf, model, "float")
    default_data = convert(tf, model, "default")
    write_bytes(BRANCHY_DIR / "float.tflite", float_data)
    write_bytes(BRANCHY_DIR / "tflite-default.tflite", default_data)
    float_out = run_tflite(float_data, inputs)
    default_out = run_tflite(default_data, inputs)
    np.save(BRANCHY_DIR / "tflite_float_out.npy", float_out.astype(np.float32))
    np.save(BRANCHY_DIR / "tflite_default_out.npy", default_out.astype(np.float32))
    write_json(BRANCHY_DIR / "reference.json", {
        "model": "branchy (see build_branchy in scripts/make-sample-models.py)", "seed": SEED,
        "params": int(model.count_params()),
        "max_abs_diff_float_tflite_vs_keras": float(np.max(np.abs(float_out - keras_out))),
        "max_abs_diff_default_vs_keras": float(np.max(np.abs(default_out - keras_out))),
        "labels": [int(v) for v in labels],
        "keras_top1": [int(v) for v in np.argmax(keras_out, 1)],
        "tflite_default_top1": [int(v) for v in np.argmax(default_out, 1)],
        "float": describe_tflite(float_data),
        "tflite-default": describe_tflite(default_data),
    })


# --------------------------------------------------------------------------------------------
# README


def write_readme(summary):
    v = summary["generator"]["versions"]
    lines = [
        "# Sample models",
        "",
        "Small models trained on scikit-learn's bundled 8x8 digits data set (no download), written in every",
        "format QuantScope reads. **CI never runs the generator**: all files here are committed outputs of",
        "`scripts/make-sample-models.py`. Regenerate by hand only when a change is intended, then commit.",
        "",
        "```",
        "python3.11 -m venv /work/venv-tf",
        "/work/venv-tf/bin/pip install -r scripts/requirements-samples.txt",
        "/work/venv-tf/bin/python scripts/make-sample-models.py --parts digits",
        "/work/venv-tf/bin/python scripts/make-sample-models.py --parts mobilenet,branchy",
        "```",
        "",
        "Versions used: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        f"Machine: {summary['generator']['machine']['cpu']}, {summary['generator']['machine']['cores']} cores.",
        f"Seed {summary['generator']['seed']} (Python, NumPy, `tf.random.set_seed`, `keras.utils.set_random_seed`),",
        "`tf.config.experimental.enable_op_determinism()`, `TF_ENABLE_ONEDNN_OPTS=0`.",
        "",
        "## Data",
        "- `sklearn.datasets.load_digits()`: 1,797 images, pixel values 0..16 divided by 16 → float32 in [0,1],",
        "  shape [N,8,8,1]; labels int64.",
        "- `train_test_split(test_size=360, stratify=y, random_state=0)` → 1,437 train / 360 test.",
        "- `digits-test.npz` holds the test split (`x` float32 [360,8,8,1], `y` int64 [360]); `NAME.eval.npz`",
        "  is the same data beside each model so the tool picks it up automatically. Written with",
        "  `np.savez` (stored, not deflated).",
        "",
        "## Models",
    ]
    descriptions = {
        "digits-mlp": "Sequential: Input(8,8,1) → Flatten → Dense(128, relu) `fc1` → Dense(32, relu) `fc2` → "
                      "Dense(10, softmax) `fc3`. Adam, 60 epochs, batch 32.",
        "digits-cnn": "Functional: Input(8,8,1) → Conv2D(16,3,same,no bias) `conv1` → BatchNormalization `bn1` → "
                      "ReLU → DepthwiseConv2D(3,same,relu) `dw` → Conv2D(64,1,relu) `pw` (1×1×16×64 = exactly "
                      "1,024 elements, the dynamic-range threshold) → MaxPooling2D(2) → Conv2D(32,3,same,relu) "
                      "`conv2` → AveragePooling2D(2) → Flatten → Dense(64, relu) `fc1` → Dense(10, softmax) `fc2`. "
                      "Adam, 40 epochs, batch 32.",
    }
    for name, info in summary["models"].items():
        acc = info["accuracy"]
        lines += [
            f"### {name}",
            descriptions[name],
            f"Parameters: {info['params']:,}.",
            "",
            "| layer | class | weight shapes (Keras) |",
            "|---|---|---|",
        ]
        for layer in info["layers"]:
            shapes = ", ".join("×".join(str(d) for d in s) for s in layer["weights"]) or "—"
            lines.append(f"| {layer['name']} | {layer['class']} | {shapes} |")
        lines += [
            "",
            "| variant | test accuracy (360) | max abs prob diff vs Keras |",
            "|---|---|---|",
            f"| Keras float | {acc['keras_float']:.4f} | — |",
        ]
        for key, label in (("tflite_float", "float .tflite"), ("tflite_default", "tflite-default (dynamic range)"),
                           ("tflite_float16", "tflite-float16")):
            lines.append(f"| {label} | {acc[key]:.4f} | {info['max_abs_prob_diff_vs_keras'][key]:.2e} |")
        lines.append("")
        lines += ["Converter output (constants it stored as non-float32):", "",
                  "| mode | bytes | min_runtime_version | op versions | converted constants |", "|---|---|---|---|---|"]
        for mode, note in info["converter"].items():
            ops = ", ".join(f"{op} v{version}" for op, version in note["op_versions"].items())
            converted = "; ".join(
                f"`{c['name'].split(';')[0]}` {c['type']} {'×'.join(str(d) for d in c['shape'])}"
                + (f" ({c['scales']} scales, dim {c['quantized_dimension']})" if c["scales"] else "")
                + f" → {c['consumer']}" for c in note["converted"]) or "none"
            lines.append(f"| {mode} | {note['bytes']:,} | {note['min_runtime_version']} | {ops} | {converted} |")
        lines.append("")
    lines += [
        "## Files per model NAME",
        "- `NAME.keras` — Keras 3 archive (`model.save`) of the compiled, trained model, so it also holds",
        "  Adam state under `/optimizer/vars` (the .keras is ~3× the weight bytes; not byte-reproducible",
        "  because `metadata.json` carries the save date — every other file is, run to run).",
        "- `NAME.h5` — legacy full-model HDF5 (`model.save(\"NAME.h5\")`; checked to carry `model_config` and",
        "  `/model_weights`).",
        "- `NAME.tflite` — `TFLiteConverter.from_keras_model`, no optimizations (float32).",
        "- `NAME.safetensors` — PyTorch naming and layouts, `__metadata__ {\"format\": \"pt\"}`: Dense kernels",
        "  transposed to [out,in]; Conv2D HWIO → OIHW; DepthwiseConv2D [kh,kw,C,1] → [C,1,kh,kw]; BatchNorm",
        "  as `bn1.weight/bias/running_mean/running_var`. A Dense that follows Flatten of an NHWC map with C>1",
        "  (digits-cnn `fc1`) has its input columns permuted to PyTorch's NCHW flatten order, so the file is a",
        "  faithful PyTorch equivalent (its values are *not* a plain transpose of the Keras kernel there).",
        "- `NAME.eval.npz` — the test split.",
        "- `reference/NAME.tflite-default.tflite` — converter with `optimizations=[tf.lite.Optimize.DEFAULT]`,",
        "  no representative dataset (dynamic range).",
        "- `reference/NAME.tflite-float16.tflite` — as above plus `target_spec.supported_types=[tf.float16]`.",
        "- `../Tests/Interop/fixtures/NAME.reference.json` — per conversion: op codes and versions,",
        "  `min_runtime_version`, every operator, each non-float32 constant the converter wrote (name, type,",
        "  shape, scales, quantized_dimension, data sha256, consuming ops) and the float32 constants it kept.",
        "- `accuracy.json` — the numbers above, machine-readable.",
        "",
        "Notes on the converter (TF " + v.get("tensorflow-cpu", v.get("tensorflow", "?")) + "): dynamic range keeps",
        "constants with fewer than 1,024 elements float32 (digits-cnn `pw`, exactly 1,024, *is* quantized);",
        "weights are int8 symmetric per-channel (CONV_2D dim 0, FULLY_CONNECTED dim 0, DEPTHWISE dim 3) with",
        "zero points 0; biases stay float32; FC options get `asymmetric_quantize_inputs=true`. Float16 mode",
        "converts every float32 constant (biases too) and adds one DEQUANTIZE v3 per constant. Keras 3's",
        "Flatten with a dynamic batch becomes SHAPE/STRIDED_SLICE/PACK/RESHAPE; BatchNormalization after a",
        "conv is folded into that conv's weights and bias (no MUL/ADD remain).",
        "",
        "Other converter fixtures (made by the same script): `Tests/Interop/fixtures/mobilenetv2-035-96/`",
        "and `Tests/Interop/fixtures/branchy/`; see `Tests/Interop/fixtures/README.md`.",
        "",
    ]
    (SAMPLES / "README.md").write_text("\n".join(lines))
    print("  wrote SampleModels/README.md")


# --------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default="digits,mobilenet,branchy",
                        help="comma-separated: digits, mobilenet, branchy, timing (re-time the converter "
                             "on an existing mobilenetv2.keras)")
    parser.add_argument("--keep-mobilenet-keras", action="store_true",
                        help="keep mobilenetv2.keras even when the fixture folder exceeds 8 MiB "
                             "(by default it is then deleted after the timing runs)")
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - {"digits", "mobilenet", "branchy", "timing"}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    tf, keras = import_tf()
    if "digits" in parts:
        digits_part(tf, keras)
    if "mobilenet" in parts:
        mobilenet_part(tf, keras, keep_keras=True if args.keep_mobilenet_keras else None)
    if "branchy" in parts:
        branchy_part(tf, keras)
    if "timing" in parts:
        keras_path = MOBILENET_DIR / "mobilenetv2.keras"
        if not keras_path.exists():
            parser.error(f"{keras_path} is missing: run --parts mobilenet --keep-mobilenet-keras first")
        converter_timing(keras_path)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Makes the small .tflite fixtures under Tests/ModelFormatsTests/Fixtures/tflite/.

Needs tensorflow (CPU). Deterministic: fixed seeds. Each model comes as the converter's float
output; the conv model also as its dynamic-range (Optimize.DEFAULT) and float16 outputs, which the
Swift tests compare against our own presets.

Usage: python scripts/make-tflite-fixtures.py [OUT_DIR]
"""
import os
import sys

import numpy as np
import tensorflow as tf

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "Tests", "ModelFormatsTests", "Fixtures", "tflite")


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")


def convert(model_or_fn, mode="float", concrete=None):
    if concrete is not None:
        converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], model_or_fn)
    else:
        converter = tf.lite.TFLiteConverter.from_keras_model(model_or_fn)
    if mode == "default":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif mode == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif mode == "sparse":
        converter.optimizations = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY]
    return converter.convert()


def conv_model():
    """Conv2D (216 weights, stays float under DEFAULT), depthwise, pointwise conv (1024), two Dense."""
    tf.keras.utils.set_random_seed(1)
    inputs = tf.keras.Input((8, 8, 3), batch_size=1, name="image")
    x = tf.keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv_a")(inputs)
    x = tf.keras.layers.DepthwiseConv2D(3, depth_multiplier=4, padding="same", activation="relu", name="dw")(x)
    x = tf.keras.layers.Conv2D(32, 1, activation="relu", name="pointwise")(x)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    x = tf.keras.layers.Dense(64, activation="relu", name="dense_a")(x)
    outputs = tf.keras.layers.Dense(10, activation="softmax", name="logits")(x)
    model = tf.keras.Model(inputs, outputs)
    # Make weights less uniform so per-channel scales differ.
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            rng = np.random.default_rng(len(layer.name))
            scaled = [w * rng.uniform(0.2, 3.0, size=w.shape[-1]).astype(np.float32) if w.ndim > 1 else
                      rng.normal(0, 0.1, size=w.shape).astype(np.float32) for w in weights]
            layer.set_weights(scaled)
    return model


def gather_matmul_model():
    """Embedding lookup (GATHER), a batch matmul with a constant and a transpose conv."""
    rng = np.random.default_rng(7)
    table = tf.constant(rng.normal(size=(64, 32)).astype(np.float32))
    rhs = tf.constant(rng.normal(size=(2, 32, 48)).astype(np.float32))
    filt = tf.constant(rng.normal(size=(3, 3, 16, 48)).astype(np.float32))  # HWOI for conv2d_transpose

    @tf.function(input_signature=[tf.TensorSpec([1, 2], tf.int32, name="ids")])
    def fn(ids):
        rows = tf.gather(table, ids[0])                      # [2, 32]
        x = tf.reshape(rows, [2, 1, 32])
        y = tf.matmul(x, rhs)                                # [2, 1, 48] batch matmul
        img = tf.reshape(y[0], [1, 1, 1, 48])
        up = tf.nn.conv2d_transpose(img, filt, output_shape=[1, 2, 2, 16], strides=2, padding="SAME")
        return {"up": up, "y": y}

    return fn, fn.get_concrete_function()


def shared_model():
    """Two Dense layers with identical kernels: the converter stores the bytes once (shared buffer)."""
    tf.keras.utils.set_random_seed(3)
    inputs = tf.keras.Input((48,), batch_size=1, name="x")
    a = tf.keras.layers.Dense(48, name="twin_a")(inputs)
    b = tf.keras.layers.Dense(48, name="twin_b")(a)
    model = tf.keras.Model(inputs, b)
    kernel = np.random.default_rng(5).normal(size=(48, 48)).astype(np.float32)
    model.get_layer("twin_a").set_weights([kernel, np.zeros(48, np.float32)])
    model.get_layer("twin_b").set_weights([kernel, np.zeros(48, np.float32)])
    return model


def sparse_model():
    tf.keras.utils.set_random_seed(4)
    inputs = tf.keras.Input((64,), batch_size=1, name="x")
    out = tf.keras.layers.Dense(32, name="sparse_dense")(inputs)
    model = tf.keras.Model(inputs, out)
    kernel = np.random.default_rng(6).normal(size=(64, 32)).astype(np.float32)
    kernel[np.random.default_rng(8).random(kernel.shape) < 0.9] = 0
    model.get_layer("sparse_dense").set_weights([kernel, np.zeros(32, np.float32)])
    return model


def main():
    os.makedirs(OUT, exist_ok=True)
    conv = conv_model()
    save("conv.tflite", convert(conv))
    save("conv.default.tflite", convert(conv, "default"))
    save("conv.float16.tflite", convert(conv, "float16"))
    fn, concrete = gather_matmul_model()
    save("gather_matmul.tflite", convert(fn, concrete=concrete))
    save("gather_matmul.default.tflite", convert(fn, "default", concrete=concrete))
    save("gather_matmul.float16.tflite", convert(fn, "float16", concrete=concrete))
    save("shared.tflite", convert(shared_model()))
    try:
        save("sparse.tflite", convert(sparse_model(), "sparse"))
    except Exception as error:  # sparsity support varies between TF releases
        print("sparse model skipped:", error)


if __name__ == "__main__":
    main()

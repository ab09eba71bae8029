#!/usr/bin/env python3
"""Writes the sparse TFLite fixtures under Tests/Interop/fixtures/sparse/ with the TF converter.

    /work/venv-tf/bin/python scripts/make-sparse-fixtures.py

The converter's EXPERIMENTAL_SPARSITY pass stores a weight sparse (DENSIFY in front of its op) when
enough of it is zero: unstructured zeros become CSR (int32 segments and indices); zeros in 1x4
blocks along a fully connected layer's input become block-sparse ([5, 288] with block_map [1]).

  sparse-fc.tflite    Dense 16 -> 8, 80 % random zeros (CSR over [8, 16])
  sparse-conv.tflite  Conv2D 3x3x4 -> 8 with 75 % zeros (CSR on the last of 4 dims), Flatten,
                      Dense 288 -> 5 with 70 % zero 1x4 blocks (block-sparse)
  sparse-*.eval.npz   x: 8 random inputs for each model ([8, 16] and [8, 6, 6, 4])

Seeded, so rerunning gives the same weights; the converter version may change the bytes.
"""
from pathlib import Path

import numpy as np
import tensorflow as tf

OUT = Path(__file__).resolve().parents[1] / "Tests" / "Interop" / "fixtures" / "sparse"


def convert(model):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY]
    return converter.convert()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(5)

    inp = tf.keras.Input((16,))
    dense = tf.keras.layers.Dense(8)
    fc = tf.keras.Model(inp, dense(inp))
    w = rng.normal(size=(16, 8)).astype(np.float32)
    w[rng.random(w.shape) < 0.8] = 0
    dense.set_weights([w, rng.normal(size=8).astype(np.float32)])
    (OUT / "sparse-fc.tflite").write_bytes(convert(fc))

    inp = tf.keras.Input((6, 6, 4))
    conv = tf.keras.layers.Conv2D(8, 3, padding="same")
    head = tf.keras.layers.Dense(5)
    net = tf.keras.Model(inp, head(tf.keras.layers.Flatten()(conv(inp))))
    k = rng.normal(size=(3, 3, 4, 8)).astype(np.float32)
    k[rng.random(k.shape) < 0.75] = 0
    conv.set_weights([k, rng.normal(size=8).astype(np.float32)])
    blocks = rng.random((288 // 4, 5)) < 0.7
    w2 = rng.normal(size=(288, 5)).astype(np.float32) * np.repeat(~blocks, 4, axis=0)
    head.set_weights([w2, rng.normal(size=5).astype(np.float32)])
    (OUT / "sparse-conv.tflite").write_bytes(convert(net))

    np.savez(OUT / "sparse-fc.eval.npz", x=rng.normal(size=(8, 16)).astype(np.float32))
    np.savez(OUT / "sparse-conv.eval.npz", x=rng.normal(size=(8, 6, 6, 4)).astype(np.float32))


if __name__ == "__main__":
    main()

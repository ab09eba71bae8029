#!/usr/bin/env python3
"""Makes the Keras LSTM fixtures: each model as a Keras 3 .keras file (under
Tests/ModelFormatsTests/Fixtures/keras/) and as the TF converter's float and dynamic-range
(Optimize.DEFAULT) .tflite files (under Tests/ModelFormatsTests/Fixtures/tflite/):

- lstm_small: x [1, 8, 6] → LSTM(16) → Dense(4). Every weight has fewer than 1024 elements, so the
  DEFAULT file keeps them all float (the converter's minimum-size rule).
- lstm_stack: x [1, 8, 40] → LSTM(32, return_sequences) → LSTM(24) → Dense(4). The first LSTM's
  weights (32×40 and 32×32 per gate) become int8; the second LSTM's (24×32, 24×24) stay float.
- lstm_mixed: x [1, 8, 48] → LSTM(24) → Dense(4): input weights 24×48 (1152 elements) but recurrent
  weights 24×24 (576), to show what the converter does when only some weights of one LSTM are large.

- bilstm_last: x [1, 8, 6] → Bidirectional(LSTM(16)) (merge concat) → Dense(4).
- bilstm_seq: x [1, 8, 40] → Bidirectional(LSTM(32, return_sequences)) (concat) → Dense(4); both
  directions' weights are large enough for the DEFAULT file to make them int8.
- bilstm_sum: x [1, 8, 6] → Bidirectional(LSTM(16), merge_mode="sum") → Dense(4).
- bilstm_mul: x [1, 8, 6] → Bidirectional(LSTM(16, return_sequences), merge_mode="mul") → Dense(4).
- bilstm_ave: x [1, 8, 6] → Bidirectional(LSTM(16), merge_mode="ave") → Dense(4): the converter
  writes ADD and folds the 1/2 into the Dense weights that follow.
The converter writes a Bidirectional LSTM as two UNIDIRECTIONAL_SEQUENCE_LSTM ops: the backward one
first, reading REVERSE_V2 of the input (and REVERSE_V2 of its output with return_sequences), then
the forward one, merged by CONCATENATION (forward first), ADD (sum, ave) or MUL.

lstm_small and bilstm_last are also saved by tf_keras as legacy .h5 files (keras/NAME.h5).

Keras 3 converts LSTM to a WHILE loop; the fused UNIDIRECTIONAL_SEQUENCE_LSTM comes only from
Keras 2 (tf_keras), whose LSTM layer marks its fused function for the converter (only with tanh,
sigmoid, use_bias, no recurrent dropout, not unrolled, and a static batch size). So each model is
built twice with the same weights: in Keras 3 (saved as .keras) and in tf_keras (converted); the
script checks both compute the same output.

Deterministic (fixed seeds). Needs tensorflow and tf-keras of the same version (e.g. /work/venv-tf
with tf-keras installed, or PYTHONPATH pointing at a directory holding tf_keras).
Usage: python scripts/make-lstm-fixtures.py [FIXTURES_DIR [NAME ...]]  (names: only those models)
Only some NAMEs give the same weights and ops; TF's scope names (model_N/...) count the models the
process built before, so they can differ from a full run (the tests do not compare names).
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402  (Keras 3)
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras  # noqa: E402  (Keras 2, for the converter's fused LSTM)

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ModelFormatsTests", "Fixtures")

# (name, timesteps, features, [(units, return_sequences)], dense units[, bidirectional merge mode])
MODELS = [
    ("lstm_small", 8, 6, [(16, False)], 4),
    ("lstm_stack", 8, 40, [(32, True), (24, False)], 4),
    ("lstm_mixed", 8, 48, [(24, False)], 4),
    ("bilstm_last", 8, 6, [(16, False)], 4, "concat"),
    ("bilstm_seq", 8, 40, [(32, True)], 4, "concat"),
    ("bilstm_sum", 8, 6, [(16, False)], 4, "sum"),
    ("bilstm_mul", 8, 6, [(16, True)], 4, "mul"),
    ("bilstm_ave", 8, 6, [(16, False)], 4, "ave"),
]


def lstm_weights(rng, width, units):
    """LSTM kernels with a different magnitude per gate (so per-gate scales differ), random biases."""
    gate_scale = np.repeat(rng.uniform(0.2, 1.5, size=4), units).astype(np.float32)
    kernel = (rng.normal(size=(width, 4 * units)) * 0.3 * gate_scale).astype(np.float32)
    recurrent = (rng.normal(size=(units, 4 * units)) * 0.2 * gate_scale[::-1]).astype(np.float32)
    bias = rng.normal(0, 0.5, size=4 * units).astype(np.float32)
    return [kernel, recurrent, bias]


def weights_for(rng, features, layers, dense, merge=None):
    """Per layer: the LSTM's weights (forward then backward for a Bidirectional), then the Dense's."""
    result = []
    width = features
    for units, _ in layers:
        if merge is None:
            result.append(lstm_weights(rng, width, units))
        else:
            result.append(lstm_weights(rng, width, units) + lstm_weights(rng, width, units))
        width = 2 * units if merge == "concat" else units
    result.append([(rng.normal(size=(width, dense)) * 0.4).astype(np.float32),
                   rng.normal(0, 0.1, size=dense).astype(np.float32)])
    return result


def build(api, timesteps, features, layers, dense, merge=None):
    inputs = api.Input((timesteps, features), batch_size=1, name="x")
    x = inputs
    for i, (units, sequences) in enumerate(layers):
        if merge is None:
            x = api.layers.LSTM(units, return_sequences=sequences, name=f"lstm_{i}")(x)
        else:
            lstm = api.layers.LSTM(units, return_sequences=sequences, name=f"lstm_{i}")
            x = api.layers.Bidirectional(lstm, merge_mode=merge, name=f"bi_{i}")(x)
    outputs = api.layers.Dense(dense, name="out")(x)
    return api.Model(inputs, outputs)


def convert(model, default):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if default:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()


def save(path, data):
    with open(path, "wb") as f:
        f.write(data)
    print(f"{os.path.relpath(path, ROOT)}: {len(data)} bytes")


def main():
    only = set(sys.argv[2:])
    for seed, (name, timesteps, features, layers, dense, *merge) in enumerate(MODELS):
        if only and name not in only:
            continue
        merge = merge[0] if merge else None
        rng = np.random.default_rng(100 + seed)
        values = weights_for(rng, features, layers, dense, merge)
        k3 = build(keras, timesteps, features, layers, dense, merge)
        k2 = build(tf_keras, timesteps, features, layers, dense, merge)
        for model in (k3, k2):
            for layer, w in zip([l for l in model.layers if l.weights], values):
                layer.set_weights(w)
        x = rng.normal(size=(1, timesteps, features)).astype(np.float32)
        a, b = np.asarray(k3(x)), np.asarray(k2(x))
        assert np.allclose(a, b, atol=1e-5), f"{name}: Keras 3 and tf_keras disagree: {a} vs {b}"
        path = os.path.join(ROOT, "keras", f"{name}.keras")
        k3.save(path)
        print(f"keras/{name}.keras: {os.path.getsize(path)} bytes")
        if name in ("lstm_small", "bilstm_last"):
            # The same model as Keras 2 writes a legacy .h5 (weights under lstm_0/lstm_cell/, or
            # bi_0/forward_lstm_0/lstm_cell/ and bi_0/backward_lstm_0/lstm_cell/).
            legacy = os.path.join(ROOT, "keras", f"{name}.h5")
            k2.save(legacy, include_optimizer=False)
            print(f"keras/{name}.h5: {os.path.getsize(legacy)} bytes")
        save(os.path.join(ROOT, "tflite", f"{name}.tflite"), convert(k2, default=False))
        save(os.path.join(ROOT, "tflite", f"{name}.default.tflite"), convert(k2, default=True))


if __name__ == "__main__":
    main()

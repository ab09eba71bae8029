#!/usr/bin/env python3
"""Writes real tf.keras 2 (Keras 2 layout) .h5 fixtures under Tests/ModelFormatsTests/Fixtures/keras/.

CI never runs this; the outputs are committed. It needs TensorFlow plus tf-keras of the same
version (tf-keras is Keras 2; TensorFlow's own tf.keras is Keras 3 since 2.16), e.g.:
    python3 -m venv /work/venv-keras-tf2
    /work/venv-keras-tf2/bin/pip install tensorflow-cpu==2.21.0 tf-keras==2.21.0
    /work/venv-keras-tf2/bin/python scripts/make-keras2-fixtures.py

Files (tiny, seeded):
- keras2-seq.h5: Sequential Dense(3, relu) `hidden` → Dense(2) `out` on 4 inputs.
- keras2-flat.h5: Functional Embedding → Conv1D → GlobalAveragePooling1D → BatchNormalization → three
  Dense → Dense without bias.
- keras2-nested.h5: a Functional that calls a nested Sequential (Keras 3 cannot rebuild this graph).
"""
from pathlib import Path

import numpy as np
import tf_keras as keras

OUT = Path(__file__).resolve().parents[1] / "Tests" / "ModelFormatsTests" / "Fixtures" / "keras"


def main():
    keras.utils.set_random_seed(15)
    seq = keras.Sequential([keras.layers.Dense(3, input_shape=(4,), activation="relu", name="hidden"),
                            keras.layers.Dense(2, name="out")], name="k2seq")
    seq.save(OUT / "keras2-seq.h5")

    keras.utils.set_random_seed(16)
    tokens = keras.Input((5,), dtype="int32", name="tokens")
    h = keras.layers.Embedding(12, 4, name="embed")(tokens)
    h = keras.layers.Conv1D(4, 3, padding="same", name="conv")(h)
    h = keras.layers.GlobalAveragePooling1D(name="pool")(h)
    h = keras.layers.BatchNormalization(name="norm")(h)
    for i in range(3):
        h = keras.layers.Dense(4, name=f"d{i}")(h)
    out = keras.layers.Dense(3, use_bias=False, name="head")(h)
    flat = keras.Model(tokens, out, name="k2flat")
    for layer in flat.layers:  # non-trivial biases and statistics, so a misplaced weight shows
        layer.set_weights([w + np.random.default_rng(16).normal(size=w.shape).astype(w.dtype) * 0.1
                           if w.ndim == 1 else w for w in layer.get_weights()])
    flat.save(OUT / "keras2-flat.h5")

    keras.utils.set_random_seed(17)
    block = keras.Sequential([keras.layers.Dense(4, input_shape=(4,), name="inner")], name="block")
    x = keras.Input((4,), name="x")
    keras.Model(x, keras.layers.Dense(2, name="top")(block(x)), name="k2nested").save(OUT / "keras2-nested.h5")


if __name__ == "__main__":
    main()

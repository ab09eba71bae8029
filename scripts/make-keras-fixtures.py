#!/usr/bin/env python3
"""Writes the small Keras fixtures under Tests/ModelFormatsTests/Fixtures/keras/.

CI never runs this; the outputs are committed. Regenerate by hand with:
    python3.11 -m venv /work/venv-keras
    /work/venv-keras/bin/pip install keras==3.15.1 jax numpy h5py
    KERAS_BACKEND=jax /work/venv-keras/bin/python scripts/make-keras-fixtures.py

Files (all tiny, seeded):
- seq-dense.keras / .h5 / .weights.h5: Sequential Input(4) → Dense(3, relu) `hidden` → Dense(2) `out`,
  as a Keras 3 archive, a legacy full-model .h5 (Keras 3 legacy writer) and weights only.
- functional-nested.keras: Functional with Embedding, a nested Sequential `block` (Dense + BatchNorm),
  Conv1D, Dense without bias, and ten Dense layers in a row plus the head (group dense_10 sorts before dense_2).
- bf16.keras, f16.keras: a Dense model under dtype policies bfloat16 / float16.
- einsum.keras: Functional with EinsumDense layers "abc,cd->abd" (bias d), "abc,dc->abd", "abc,cde->abde"
  (bias de), "abc,cd->ad", "ab,bc->ac" (bias c) and "...b,bc->...c" (which Keras 3.15 cannot quantize).
- half.keras: Dense, EinsumDense and Embedding under policy bfloat16 (input ids → table → dense layers).
- *.int8.keras: Keras' own `model.quantize("int8")` of einsum.keras (all but the "..." layer), bf16.keras
  and half.keras — the reference our int8 writer must equal byte for byte.
- functional-nested.h5: functional-nested.keras loaded and saved by Keras 3's legacy .h5 writer.
- keras2-legacy.h5: a Keras 2 (tf.keras) layout legacy file built with h5py: weight names with ":0",
  fixed-length (NULL-padded) name lists, nested model group, string dtype in model_config.
- Bad inputs: not-zip.keras, no-config.keras, no-weights.keras, corrupt-weights.keras (weights member
  with a broken HDF5 superblock), missing-layer.keras (config names a layer whose weights group is
  gone), unknown-layer.keras (a Dense renamed to an unknown class `MyLayer`).
- no-names.keras: functional-nested.keras without the vars groups' `name` attributes (Keras 3.0–3.5),
  so layers resolve through the class-name counter alone.
"""
import io
import json
import os
import zipfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "Tests" / "ModelFormatsTests" / "Fixtures" / "keras"


def seq_dense():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu", name="hidden"),
                              keras.layers.Dense(2, name="out")], name="seq")
    model.save(OUT / "seq-dense.keras")
    model.save(OUT / "seq-dense.h5")
    model.save_weights(OUT / "seq-dense.weights.h5")
    return model


def functional_nested():
    keras.utils.set_random_seed(2)
    block = keras.Sequential([keras.Input((8,)), keras.layers.Dense(8, name="inner"),
                              keras.layers.BatchNormalization(name="norm")], name="block")
    tokens = keras.Input((5,), dtype="int32", name="tokens")
    h = keras.layers.Embedding(16, 8, name="embed")(tokens)
    h = keras.layers.Conv1D(8, 3, padding="same", name="conv")(h)
    h = keras.layers.GlobalAveragePooling1D(name="pool")(h)
    h = block(h)
    for i in range(10):
        h = keras.layers.Dense(2 if i else 4, name=f"d{i}")(h)
    out = keras.layers.Dense(3, use_bias=False, name="head")(h)
    keras.Model(tokens, out, name="nested").save(OUT / "functional-nested.keras")


def policies():
    for policy, name in [("bfloat16", "bf16"), ("float16", "f16")]:
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, dtype=policy, name="half")], name=name)
        model.save(OUT / f"{name}.keras")


def random_biases(model, seed):
    """Initial biases are zeros; give them values so a misplaced bias shows."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        for weight in layer.weights:
            if weight.path.endswith("bias"):
                weight.assign(rng.normal(size=weight.shape).astype(weight.dtype))


def einsum():
    keras.utils.set_random_seed(5)
    x = keras.Input((3, 4), name="x")
    h = keras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 5), bias_axes="d", name="e3")(x)
    h = keras.layers.EinsumDense("abc,dc->abd", output_shape=(None, 6), name="e3t")(h)
    h = keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de", name="heads")(h)
    h = keras.layers.EinsumDense("abde,dei->abi", output_shape=(None, 7), name="merge")(h)
    h = keras.layers.EinsumDense("abc,cd->ad", output_shape=8, name="pool")(h)
    h = keras.layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c", name="e2")(h)
    out = keras.layers.EinsumDense("...b,bc->...c", output_shape=3, name="ell")(h)
    model = keras.Model(x, out, name="einsum")
    random_biases(model, 5)
    model.save(OUT / "einsum.keras")
    model.quantize("int8", filters=lambda layer: layer.name != "ell")
    model.save(OUT / "einsum.int8.keras")


def half():
    keras.utils.set_random_seed(6)
    ids = keras.Input((3,), dtype="int32", name="ids")
    h = keras.layers.Embedding(10, 4, dtype="bfloat16", name="table")(ids)
    h = keras.layers.EinsumDense("abc,cd->abd", output_shape=(3, 5), bias_axes="d", dtype="bfloat16", name="mix")(h)
    h = keras.layers.Flatten(dtype="bfloat16", name="flat")(h)
    out = keras.layers.Dense(2, dtype="bfloat16", name="head")(h)
    model = keras.Model(ids, out, name="half")
    random_biases(model, 6)
    model.save(OUT / "half.keras")
    model.quantize("int8")
    model.save(OUT / "half.int8.keras")
    bf16 = keras.saving.load_model(OUT / "bf16.keras")
    bf16.quantize("int8")
    bf16.save(OUT / "bf16.int8.keras")


def legacy_nested():
    keras.saving.load_model(OUT / "functional-nested.keras").save(OUT / "functional-nested.h5")


def keras2_legacy():
    rng = np.random.default_rng(4)
    config = {"class_name": "Functional", "config": {"name": "old", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": "x"},
         "name": "x", "inbound_nodes": []},
        {"class_name": "Dense", "config": {"name": "dense", "units": 3, "activation": "relu", "use_bias": True,
                                             "dtype": "float32"}, "name": "dense",
         "inbound_nodes": [[["x", 0, 0, {}]]]},
        {"class_name": "Sequential", "config": {"name": "sub", "layers": [
            {"class_name": "Dense", "config": {"name": "inner", "units": 2, "use_bias": True, "dtype": "float32"}}]},
         "name": "sub", "inbound_nodes": [[["dense", 0, 0, {}]]]},
    ], "input_layers": [["x", 0, 0]], "output_layers": [["sub", 1, 0]]}}
    with h5py.File(OUT / "keras2-legacy.h5", "w") as f:
        f.attrs["model_config"] = json.dumps(config).encode()
        f.attrs["keras_version"] = b"2.4.0"
        f.attrs["backend"] = b"tensorflow"
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([b"x", b"dense", b"sub"], dtype="S5")
        weights.create_group("x").attrs["weight_names"] = np.array([], dtype="S1")
        dense = weights.create_group("dense")
        dense.attrs["weight_names"] = np.array([b"dense/kernel:0", b"dense/bias:0"], dtype="S14")
        dense.create_dataset("dense/kernel:0", data=rng.normal(size=(4, 3)).astype("<f4"))
        dense.create_dataset("dense/bias:0", data=rng.normal(size=(3,)).astype("<f4"))
        sub = weights.create_group("sub")
        sub.attrs["weight_names"] = np.array([b"inner/kernel:0", b"inner/bias:0"], dtype="S14")
        sub.create_dataset("inner/kernel:0", data=rng.normal(size=(3, 2)).astype("<f4"))
        sub.create_dataset("inner/bias:0", data=rng.normal(size=(2,)).astype("<f4"))


def rezip(src, dest, drop=(), replace=None):
    replace = replace or {}
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as b:
        for info in a.infolist():
            if info.filename in drop:
                continue
            b.writestr(info.filename, replace.get(info.filename, a.read(info.filename)))


def bad_inputs():
    src = OUT / "seq-dense.keras"
    (OUT / "not-zip.keras").write_bytes(b"this is not a zip archive at all\n" * 4)
    rezip(src, OUT / "no-config.keras", drop={"config.json"})
    rezip(src, OUT / "no-weights.keras", drop={"model.weights.h5"})
    with zipfile.ZipFile(src) as a:
        weights = bytearray(a.read("model.weights.h5"))
        config = json.loads(a.read("config.json"))
    broken = bytes(weights[:8]) + b"\xff" * 40 + bytes(weights[48:])
    rezip(src, OUT / "corrupt-weights.keras", replace={"model.weights.h5": broken})
    buffer = io.BytesIO(bytes(weights))
    with h5py.File(buffer, "r+") as f:
        del f["layers/dense_1"]
    rezip(src, OUT / "missing-layer.keras", replace={"model.weights.h5": buffer.getvalue()})
    config["config"]["layers"][1]["class_name"] = "MyLayer"
    config["config"]["layers"][1]["module"] = "custom"
    rezip(src, OUT / "unknown-layer.keras", replace={"config.json": json.dumps(config).encode()})


def without_names():
    """functional-nested.keras as Keras 3.0–3.5 wrote it: no `name` attributes on vars groups."""
    src = OUT / "functional-nested.keras"
    with zipfile.ZipFile(src) as a:
        buffer = io.BytesIO(a.read("model.weights.h5"))
    with h5py.File(buffer, "r+") as f:
        f.visititems(lambda name, obj: obj.attrs.__delitem__("name") if "name" in obj.attrs else None)
    rezip(src, OUT / "no-names.keras", replace={"model.weights.h5": buffer.getvalue()})


if __name__ == "__main__":
    import sys
    OUT.mkdir(parents=True, exist_ok=True)
    if len(sys.argv) > 1:  # regenerate only the named groups, e.g. `einsum half`
        for name in sys.argv[1:]:
            globals()[name]()
        sys.exit(0)
    seq_dense()
    functional_nested()
    policies()
    einsum()
    half()
    legacy_nested()
    keras2_legacy()
    bad_inputs()
    without_names()
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total} bytes")

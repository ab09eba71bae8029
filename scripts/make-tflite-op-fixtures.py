#!/usr/bin/env python3
"""Makes hand-built .tflite fixtures under Tests/ModelFormatsTests/Fixtures/tflite/ for ops and
layouts the TF converter does not produce from small Keras models:

- embedding_lookup.tflite: ids [4] → EMBEDDING_LOOKUP(table [64, 32]) → rows [4, 32] (the converter
  turns Keras Embedding into GATHER; EMBEDDING_LOOKUP comes from older graphs);
- shared_buffer.tflite: x [1, 16] → FULLY_CONNECTED(w_a) → FULLY_CONNECTED(w_b) → y, where the two
  distinct weight tensors share one buffer (as the converter's buffer dedup leaves identical constants);
- rnn.tflite: x [2, 16] → RNN(weights [32, 16], recurrent [32, 32], bias, hidden state) → [2, 32];
- svdf.tflite: x [2, 16] → SVDF(feature [64, 16], time [64, 10], bias [32], state, rank 2) → [2, 32];
- lstm.tflite: x [1, 5, 16] → UNIDIRECTIONAL_SEQUENCE_LSTM(32 units, weights [32, 16] and [32, 32] per
  gate, no peepholes or projection) → [1, 5, 32] (Keras 3's LSTM converts to a WHILE loop instead).

Deterministic (fixed seed). Needs ai-edge-litert (schema_py_generated) and flatbuffers, e.g.
/work/venv-interop. Usage: python scripts/make-tflite-op-fixtures.py [OUT_DIR]
"""
import os
import sys

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ModelFormatsTests", "Fixtures", "tflite")
F32, I32 = schema.TensorType.FLOAT32, schema.TensorType.INT32


class Graph:
    def __init__(self):
        self.buffers = [schema.BufferT()]
        self.tensors, self.ops, self.codes = [], [], []

    def buffer(self, data=None):
        b = schema.BufferT()
        if data is not None:
            b.data = list(np.ascontiguousarray(data).tobytes())
        self.buffers.append(b)
        return len(self.buffers) - 1

    def tensor(self, name, shape, ttype=F32, buffer=None, data=None, variable=False):
        t = schema.TensorT()
        t.name, t.shape, t.type, t.isVariable = name.encode(), list(shape), ttype, variable
        t.buffer = buffer if buffer is not None else self.buffer(data)
        self.tensors.append(t)
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, options_type=0, options=None, version=1):
        if (code, version) not in self.codes:
            self.codes.append((code, version))
        o = schema.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = self.codes.index((code, version)), inputs, outputs
        o.builtinOptionsType, o.builtinOptions = options_type, options
        self.ops.append(o)

    def save(self, name, inputs, outputs):
        m = schema.ModelT()
        m.version, m.description = 3, b"QuantScope test fixture"
        m.operatorCodes = []
        for code, version in self.codes:
            c = schema.OperatorCodeT()
            c.builtinCode, c.deprecatedBuiltinCode, c.version = code, min(code, 127), version
            m.operatorCodes.append(c)
        g = schema.SubGraphT()
        g.tensors, g.operators, g.inputs, g.outputs, g.name = self.tensors, self.ops, inputs, outputs, b"main"
        m.subgraphs, m.buffers = [g], self.buffers
        meta = schema.MetadataT()
        meta.name, meta.buffer = b"min_runtime_version", self.buffer(np.frombuffer(b"1.5.0".ljust(16, b"\0"), np.uint8))
        m.metadata = [meta]
        b = flatbuffers.Builder(1 << 16)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        data = bytes(b.Output())
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


def normal(rng, *shape, scale=0.5):
    return (rng.normal(size=shape) * scale).astype(np.float32)


def embedding_lookup(rng):
    g = Graph()
    ids = g.tensor("ids", [4], I32)
    table = g.tensor("embedding/table", [64, 32], data=normal(rng, 64, 32) * rng.uniform(0.2, 3, (64, 1)).astype(np.float32))
    out = g.tensor("embedding/rows", [4, 32])
    g.op(schema.BuiltinOperator.EMBEDDING_LOOKUP, [ids, table], [out])
    g.save("embedding_lookup.tflite", [ids], [out])


def fc_options():
    o = schema.FullyConnectedOptionsT()
    o.fusedActivationFunction = schema.ActivationFunctionType.RELU
    return o


def shared_buffer(rng):
    g = Graph()
    x = g.tensor("x", [1, 16])
    shared = g.buffer(normal(rng, 16, 16))
    w_a = g.tensor("dense_a/kernel", [16, 16], buffer=shared)
    w_b = g.tensor("dense_b/kernel", [16, 16], buffer=shared)
    h, y = g.tensor("dense_a/out", [1, 16]), g.tensor("dense_b/out", [1, 16])
    g.op(schema.BuiltinOperator.FULLY_CONNECTED, [x, w_a, -1], [h], schema.BuiltinOptions.FullyConnectedOptions, fc_options())
    g.op(schema.BuiltinOperator.FULLY_CONNECTED, [h, w_b, -1], [y], schema.BuiltinOptions.FullyConnectedOptions, fc_options())
    g.save("shared_buffer.tflite", [x], [y])


def rnn(rng):
    g = Graph()
    x = g.tensor("x", [2, 16])
    w = g.tensor("rnn/weights", [32, 16], data=normal(rng, 32, 16))
    r = g.tensor("rnn/recurrent_weights", [32, 32], data=normal(rng, 32, 32, scale=0.1))
    b = g.tensor("rnn/bias", [32], data=normal(rng, 32))
    state = g.tensor("rnn/state", [2, 32], variable=True)
    y = g.tensor("rnn/out", [2, 32])
    o = schema.RNNOptionsT()
    o.fusedActivationFunction = schema.ActivationFunctionType.TANH
    g.op(schema.BuiltinOperator.RNN, [x, w, r, b, state], [y], schema.BuiltinOptions.RNNOptions, o)
    g.save("rnn.tflite", [x], [y])


def svdf(rng):
    g = Graph()
    x = g.tensor("x", [2, 16])
    feature = g.tensor("svdf/weights_feature", [64, 16], data=normal(rng, 64, 16))
    time = g.tensor("svdf/weights_time", [64, 10], data=normal(rng, 64, 10, scale=0.3))
    bias = g.tensor("svdf/bias", [32], data=normal(rng, 32))
    state = g.tensor("svdf/state", [2, 640], variable=True)
    y = g.tensor("svdf/out", [2, 32])
    o = schema.SVDFOptionsT()
    o.rank, o.fusedActivationFunction = 2, schema.ActivationFunctionType.RELU
    g.op(schema.BuiltinOperator.SVDF, [x, feature, time, bias, state], [y], schema.BuiltinOptions.SVDFOptions, o)
    g.save("svdf.tflite", [x], [y])


def lstm(rng):
    g = Graph()
    x = g.tensor("x", [1, 5, 16])
    gates = ["input", "forget", "cell", "output"]
    inputs = [g.tensor(f"lstm/input_to_{n}_weights", [32, 16], data=normal(rng, 32, 16, scale=0.3)) for n in gates]
    recurrent = [g.tensor(f"lstm/recurrent_to_{n}_weights", [32, 32], data=normal(rng, 32, 32, scale=0.1))
                 for n in gates]
    biases = [g.tensor(f"lstm/{n}_gate_bias", [32], data=normal(rng, 32, scale=0.1)) for n in gates]
    out_state = g.tensor("lstm/output_state", [1, 32], variable=True)
    cell_state = g.tensor("lstm/cell_state", [1, 32], variable=True)
    y = g.tensor("lstm/out", [1, 5, 32])
    o = schema.UnidirectionalSequenceLSTMOptionsT()
    o.fusedActivationFunction, o.cellClip, o.projClip, o.timeMajor = schema.ActivationFunctionType.TANH, 0.0, 0.0, False
    operands = [x] + inputs + recurrent + [-1, -1, -1] + biases + [-1, -1, out_state, cell_state] + [-1] * 4
    g.op(schema.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, operands, [y],
         schema.BuiltinOptions.UnidirectionalSequenceLSTMOptions, o)
    g.save("lstm.tflite", [x], [y])


if __name__ == "__main__":
    rng = np.random.default_rng(11)
    embedding_lookup(rng)
    shared_buffer(rng)
    rnn(rng)
    svdf(rng)
    lstm(rng)

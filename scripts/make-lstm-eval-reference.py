#!/usr/bin/env python3
"""Makes Tests/ModelFormatsTests/Fixtures/tflite/lstm_reference.npz: LiteRT's outputs for the committed LSTM
fixtures (scripts/make-lstm-fixtures.py), so the Swift interpreter's UNIDIRECTIONAL_SEQUENCE_LSTM
kernel (float and hybrid) is checked against LiteRT without Python at test time.

For each model NAME in lstm_small, lstm_stack, lstm_mixed and bilstm_last, bilstm_seq, bilstm_sum,
bilstm_mul, bilstm_ave
(Bidirectional LSTMs: REVERSE_V2, two LSTMs, CONCATENATION, ADD or MUL) the archive holds NAME.x (4 inputs
stacked on the batch axis, one LiteRT call each with the state reset), NAME.float (outputs of
NAME.tflite) and NAME.default (outputs of NAME.default.tflite, the converter's hybrid file).

Deterministic (fixed seed). Needs numpy and ai-edge-litert (e.g. /work/venv-interop).
Usage: python scripts/make-lstm-eval-reference.py [OUT.npz]
"""
import os
import sys

import numpy as np
from ai_edge_litert import interpreter as litert

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "Tests", "ModelFormatsTests", "Fixtures", "tflite")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(FIXTURES, "lstm_reference.npz")
MODELS = ["lstm_small", "lstm_stack", "lstm_mixed", "bilstm_last", "bilstm_seq", "bilstm_sum", "bilstm_mul", "bilstm_ave"]


def run(path, xs):
    it = litert.Interpreter(model_path=path, num_threads=1,
                            experimental_op_resolver_type=litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    index, out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    results = []
    for x in xs:
        it.reset_all_variables()
        it.set_tensor(index, x[None])
        it.invoke()
        results.append(it.get_tensor(out)[0].copy())
    return np.stack(results).astype(np.float32)


def main():
    arrays = {}
    rng = np.random.default_rng(7)
    for name in MODELS:
        path = os.path.join(FIXTURES, f"{name}.tflite")
        shape = litert.Interpreter(model_path=path).get_input_details()[0]["shape"]
        xs = rng.normal(size=(4, *shape[1:])).astype(np.float32)
        arrays[f"{name}.x"] = xs
        arrays[f"{name}.float"] = run(path, xs)
        arrays[f"{name}.default"] = run(os.path.join(FIXTURES, f"{name}.default.tflite"), xs)
    np.savez(OUT, **arrays)
    print(f"{os.path.relpath(OUT, ROOT)}: {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Makes Tests/ModelFormatsTests/Fixtures/tflite/unknown_fields.tflite from conv.tflite.

The copy carries data a newer TFLite schema could write and QuantScope's schema does not know:
- Model field 15: an offset to a table of an unknown type (a string and an int);
- operator 3 (MEAN): field 20, an offset to a string, and builtin_options of union type 250;
- operator 4 (FULLY_CONNECTED): field 21, a 4-byte scalar (odd, so it cannot be an offset).
LiteRT ignores fields and union members it does not know, so the model still runs (MEAN then
uses its default options, keep_dims = false, which is what the converter wrote anyway).

Needs ai-edge-litert (its schema_py_generated) and flatbuffers, e.g. /work/venv-interop.
Usage: python scripts/make-tflite-unknown-fixture.py [SRC] [OUT]
"""
import os
import sys

import flatbuffers
from ai_edge_litert import schema_py_generated as schema

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "ModelFormatsTests", "Fixtures", "tflite")
MODEL_FIELD, OP_STRING_FIELD, OP_SCALAR_FIELD, UNION_TYPE = 15, 20, 21, 250
OP_SCALAR_VALUE, TABLE_INT = 12345, 777
OP_STRING, TABLE_STRING = "qscope-unknown-operator-field", "qscope-unknown-table"


class UnknownOptions:
    """Stands in for a builtin_options table of a union member newer than the schema."""

    def __init__(self, extra):
        self.extra = extra

    def Pack(self, builder):
        builder.StartObject(1)
        builder.PrependInt32Slot(0, 4242, 0)
        return builder.EndObject()


def build(src):
    model = schema.ModelT.InitFromPackedBuf(open(src, "rb").read(), 0)
    graph = model.subgraphs[0]
    builder = flatbuffers.Builder(1 << 16)
    op_string = builder.CreateString(OP_STRING)
    table_string = builder.CreateString(TABLE_STRING)
    builder.StartObject(2)
    builder.PrependUOffsetTRelativeSlot(0, table_string, 0)
    builder.PrependInt32Slot(1, TABLE_INT, 0)
    unknown_table = builder.EndObject()

    mean, fc = graph.operators[3], graph.operators[4]
    mean.builtinOptionsType = UNION_TYPE
    mean.builtinOptions = UnknownOptions(0)
    extras = {id(mean): lambda: builder.PrependUOffsetTRelativeSlot(OP_STRING_FIELD, op_string, 0),
              id(fc): lambda: builder.PrependUint32Slot(OP_SCALAR_FIELD, OP_SCALAR_VALUE, 0)}

    # Widen the generated start functions and add the extra fields just before each table ends.
    schema.OperatorStart = lambda b: b.StartObject(OP_SCALAR_FIELD + 1)
    schema.ModelStart = lambda b: b.StartObject(MODEL_FIELD + 1)
    original_op_pack = schema.OperatorT.Pack

    def op_pack(self, b):
        end = schema.OperatorEnd
        extra = extras.get(id(self))
        schema.OperatorEnd = (lambda bb: (extra(), bb.EndObject())[1]) if extra else end
        try:
            return original_op_pack(self, b)
        finally:
            schema.OperatorEnd = end

    schema.OperatorT.Pack = op_pack
    model_end = schema.ModelEnd
    schema.ModelEnd = lambda b: (b.PrependUOffsetTRelativeSlot(MODEL_FIELD, unknown_table, 0), b.EndObject())[1]
    try:
        root = model.Pack(builder)
    finally:
        schema.ModelEnd = model_end
        schema.OperatorT.Pack = original_op_pack
    builder.Finish(root, file_identifier=b"TFL3")
    return bytes(builder.Output())


if __name__ == "__main__":
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(FIXTURES, "conv.tflite")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(FIXTURES, "unknown_fields.tflite")
    data = build(src)
    with open(out, "wb") as f:
        f.write(data)
    print(f"{out}: {len(data)} bytes")

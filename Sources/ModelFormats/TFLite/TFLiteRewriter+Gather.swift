extension TFLiteRewriter {
  /// The converter runs GATHER on int8 weights and dequantizes its *output*. Makes the output of
  /// GATHER op `op` int8 with the weight's parameters (adding a DEQUANTIZE after it), or, with nil,
  /// turns an int8 output back to float32 and drops that DEQUANTIZE.
  mutating func setGatherOutput(_ s: Int, _ op: Int, quantization weight: TFLiteStoredWeight?) {
    guard let out = graphs[s].ops[op].outputs.first, out >= 0 else { return }
    var tensor = graphs[s].tensors[out]
    if let weight {
      tensor.setScalar(TFLiteSchema.TensorField.type, bits: UInt64(UInt8(bitPattern: weight.type.rawValue)), size: 1)
      tensor.fields[TFLiteSchema.TensorField.quantization] = .table(
        Self.quantizationTable(scales: weight.scales, zeroPoints: weight.zeroPoints, axis: 0))
      let alreadyInt8 = type(s, out) == .int8
      graphs[s].tensors[out] = tensor
      guard !alreadyInt8 else { return }
      let float = appendFloatTensor(s, name: tensorName(s, out) + "_dequantize", like: out)
      for (reader, slot) in readers(s, out) where reader != op { graphs[s].ops[reader].inputs[slot] = float }
      let dequantize = makeDequantize(s, from: out, to: float)
      graphs[s].ops[op].after.append(dequantize)
    } else {
      guard type(s, out) == .int8 else { return }
      tensor.fields[TFLiteSchema.TensorField.type] = nil
      tensor.fields[TFLiteSchema.TensorField.quantization] = nil
      graphs[s].tensors[out] = tensor
      for (reader, _) in readers(s, out) where code(graphs[s].ops[reader]) == TFLiteSchema.Op.dequantize {
        guard let float = graphs[s].ops[reader].outputs.first else { continue }
        for (next, slot) in readers(s, float) { graphs[s].ops[next].inputs[slot] = out }
        graphs[s].ops[reader].removed = true
      }
      for trailing in graphs[s].ops[op].after where trailing.inputs.contains(out) {
        guard let float = trailing.outputs.first else { continue }
        for (next, slot) in readers(s, float) { graphs[s].ops[next].inputs[slot] = out }
      }
      graphs[s].ops[op].after.removeAll { $0.inputs.contains(out) }
    }
  }
}

import TensorCore

extension TFLiteRewriter {
  /// Why tensor `t`, read by the recurrent op of `use`, cannot be stored as `encoding` (nil: any
  /// re-encoding), or nil when it can: a float32 weight matrix of a float op, written as
  /// per-tensor symmetric int8.
  func recurrentProblem(_ s: Int, _ t: Int, use: TFLiteUse, encoding: QuantEncoding?) -> String? {
    let op = graphs[s].ops[use.op]
    let opCode = code(op)
    let name = "\(TFLiteSchema.opName(opCode)) #\(use.op)"
    let options = op.table.table(TFLiteSchema.OperatorField.options)
    switch TFLiteRecurrentWeights.weightSlots(code: opCode, inputs: op.inputs, options: options) {
    case let .failure(refusal):
      return "it feeds \(name), whose weights stay float: \(refusal.reason)"
    case let .success(slots):
      guard slots.contains(use.slot) else {
        return "it is input \(use.slot) of \(name); only the op's weight matrices are re-encoded, the rest stays as stored"
      }
    }
    guard use.via == nil, type(s, t) == .float32 else {
      return "it feeds \(name) but is not stored as float32; the hybrid kernel's weights are made from float32 ones"
    }
    guard type(s, op.inputs.first ?? -1) == .float32, type(s, op.outputs.first ?? -1) == .float32 else {
      return "it feeds \(name), which does not compute in float; its weights stay as stored"
    }
    guard let encoding, TFLiteRecurrentWeights.isHybridEncoding(encoding) else {
      return "it feeds \(name), whose kernel reads either float32 weights or int8 weights with one scale and zero "
        + "point 0 (per-tensor symmetric int8 in [-127, 127], as tflite-default writes), all of its weights alike"
    }
    return nil
  }

  /// For requests that touch a recurrent op's weights without covering all of them with the hybrid
  /// encoding: (subgraph, tensor) → why it stays as stored. The kernel picks float or hybrid for
  /// the whole op, so one weight re-encoded alone would break it.
  func incompleteRecurrentGroups(_ requested: [[Int]: QuantEncoding]) -> [[Int]: String] {
    var result: [[Int]: String] = [:]
    for s in graphs.indices {
      for (i, op) in graphs[s].ops.enumerated() where !op.removed {
        let opCode = code(op)
        let options = op.table.table(TFLiteSchema.OperatorField.options)
        guard TFLiteRecurrentWeights.layouts[opCode] != nil,
          case let .success(slots) = TFLiteRecurrentWeights.weightSlots(code: opCode, inputs: op.inputs, options: options)
        else { continue }
        let weights = slots.map { op.inputs[$0] }
        let touched = weights.filter { t in requested[[s, t]].map { !isNoOp(s, t, encoding: $0) } ?? false }
        guard !touched.isEmpty else { continue }
        let missing = weights.filter { t in
          guard let encoding = requested[[s, t]], TFLiteRecurrentWeights.isHybridEncoding(encoding) else { return true }
          return false
        }
        guard let first = missing.first else { continue }
        let reason = "\(TFLiteSchema.opName(opCode)) #\(i) takes all its weights float or all per-tensor symmetric int8, "
          + "and '\(tensorName(s, first))' is not requested as int8 per-tensor symmetric"
        for t in touched { result[[s, t]] = reason }
      }
    }
    return result
  }
}

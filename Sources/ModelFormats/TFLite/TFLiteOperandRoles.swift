import TensorCore

/// What each input slot of the ops we know means: which slot is the weight the converter
/// quantizes, which is the bias, and along which axis the weight's output channels run.
public enum TFLiteOperandRoles {
  /// The converter's quantizable operand per op (dynamic-range quantization), with its channel axis.
  /// BATCH_MATMUL, GATHER and EMBEDDING_LOOKUP are per-tensor in the converter; their axis is where
  /// a per-channel scheme would put its scales.
  static let weightSlots: [Int32: (slot: Int, axis: Int)] = [
    TFLiteSchema.Op.conv2D: (1, 0),
    TFLiteSchema.Op.depthwiseConv2D: (1, 3),
    TFLiteSchema.Op.fullyConnected: (1, 0),
    TFLiteSchema.Op.transposeConv: (1, 0),
    TFLiteSchema.Op.batchMatMul: (1, -1),
    TFLiteSchema.Op.embeddingLookup: (1, 0),
    TFLiteSchema.Op.gather: (0, 0),
    TFLiteSchema.Op.conv3D: (1, 4),
  ]

  static let biasSlots: [Int32: Int] = [
    TFLiteSchema.Op.conv2D: 2, TFLiteSchema.Op.depthwiseConv2D: 2, TFLiteSchema.Op.fullyConnected: 2,
    TFLiteSchema.Op.transposeConv: 3, TFLiteSchema.Op.conv3D: 2,
  ]

  /// Bias inputs of the recurrent ops (RNN/SVDF: 3; LSTM: the four gate biases and the projection
  /// bias). Their other constant inputs are weights, which the writer keeps as stored.
  static let recurrentBiasSlots: [Int32: Set<Int>] = [
    24: [3], 27: [3], 35: [3], 16: [12, 13, 14, 15, 17], 44: [12, 13, 14, 15, 17],
  ]

  /// The role of input `slot` of an op with builtin `code`.
  static func role(code: Int32, slot: Int) -> TensorRole {
    if let weight = weightSlots[code], weight.slot == slot {
      return code == TFLiteSchema.Op.gather || code == TFLiteSchema.Op.embeddingLookup ? .embedding : .weight
    }
    if biasSlots[code] == slot { return .bias }
    if TFLiteSchema.Op.recurrent.contains(code), slot > 0 {
      return recurrentBiasSlots[code]?.contains(slot) == true ? .bias : .weight
    }
    return .other
  }

  /// The output-channel axis for a weight of `rank` dimensions in `slot` of op `code`.
  static func channelAxis(code: Int32, slot: Int, rank: Int) -> Int {
    guard let weight = weightSlots[code], weight.slot == slot else { return 0 }
    let axis = weight.axis < 0 ? rank + weight.axis : weight.axis
    return min(max(axis, 0), max(rank - 1, 0))
  }
}

/// One use of a constant by the op that really computes with it (after looking through
/// DEQUANTIZE and DENSIFY).
public struct TFLiteUse: Sendable, Hashable {
  public var op: Int
  public var slot: Int
  /// The DEQUANTIZE/DENSIFY op the value passes through first, if any.
  public var via: Int?
}

extension TFLiteFile.Subgraph {
  /// For each tensor, the (op, slot) pairs that read it directly.
  func directConsumers() -> [[(op: Int, slot: Int)]] {
    var result = [[(op: Int, slot: Int)]](repeating: [], count: tensors.count)
    for (i, op) in operators.enumerated() {
      for (slot, t) in op.inputs.enumerated() where t >= 0 && t < tensors.count { result[t].append((i, slot)) }
    }
    return result
  }

  /// The real consumers of tensor `t`: looks through one DEQUANTIZE or DENSIFY (and a DENSIFY then
  /// DEQUANTIZE chain) to the ops that compute with the value.
  func realUses(of t: Int, codes: [TFLiteFile.OperatorCode], consumers: [[(op: Int, slot: Int)]]) -> [TFLiteUse] {
    var result: [TFLiteUse] = []
    func visit(_ tensor: Int, via: Int?, depth: Int) {
      guard tensor >= 0, tensor < consumers.count else { return }
      for (op, slot) in consumers[tensor] {
        let code = codes[operators[op].opcodeIndex].code
        let passThrough = code == TFLiteSchema.Op.dequantize || code == TFLiteSchema.Op.densify
        if passThrough, depth < 2, let out = operators[op].outputs.first {
          visit(out, via: via ?? op, depth: depth + 1)
        } else {
          result.append(TFLiteUse(op: op, slot: slot, via: via))
        }
      }
    }
    visit(t, via: nil, depth: 0)
    return result
  }
}

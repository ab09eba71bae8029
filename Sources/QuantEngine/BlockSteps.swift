import TensorCore

/// Per-block quantization step, for rmse/scale.
enum BlockSteps {
  /// |d| for legacy blocks, the mean |sub-block step| for K-quants, 0 when unknown.
  /// (Clipping is counted by the quantizers themselves.)
  static func step(_ type: DType, block: UnsafePointer<UInt8>) -> Float {
    switch type {
    case .q8_0, .q4_0, .q5_0, .q4_1, .q5_1:
      return abs(BlockDecoding.half(block))
    case .q2_k, .q3_k, .q4_k, .q5_k, .q6_k:
      return KQuantSteps.meanStep(type, block)
    default:
      return 0
    }
  }
}

enum KQuantSteps {
  static func meanStep(_ type: DType, _ b: UnsafePointer<UInt8>) -> Float {
    var total: Float = 0
    switch type {
    case .q2_k:
      let d = BlockDecoding.half(b + 80)
      for j in 0..<16 { total += abs(d * Float(b[j] & 0x0F)) }
      return total / 16
    case .q3_k:
      let d = BlockDecoding.half(b + 108)
      for j in 0..<16 { total += abs(d * Float(KQuantDecoding.q3_kScale(b + 96, j))) }
      return total / 16
    case .q4_k, .q5_k:
      let d = BlockDecoding.half(b)
      for j in 0..<8 { total += abs(d * Float(KQuantDecoding.scaleMin(b + 4, j).0)) }
      return total / 8
    case .q6_k:
      let d = BlockDecoding.half(b + 208)
      for j in 0..<16 { total += abs(d * Float(Int8(bitPattern: b[192 + j]))) }
      return total / 16
    default:
      return 0
    }
  }
}

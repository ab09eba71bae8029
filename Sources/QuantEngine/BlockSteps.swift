import TensorCore

/// Per-block quantization step (for rmse/scale) and clipping count of a quantized block.
enum BlockSteps {
  /// `step`: |d| for legacy blocks, the mean |sub-block step| for K-quants, 0 when unknown.
  /// `clipped`: elements whose rounded level left the integer range before clamping.
  static func stepAndClipped(_ type: DType, block: UnsafePointer<UInt8>, x: UnsafePointer<Float>) -> (Float, Int) {
    switch type {
    case .q8_0:
      return (abs(BlockDecoding.half(block)), 0)
    case .q4_0, .q5_0:
      let half: Float = type == .q4_0 ? 8 : 16
      let d = GGMLLegacyQuantize.signedAbsMax(x) / -half
      let id: Float = d != 0 ? 1 / d : 0
      var clipped = 0
      for j in 0..<32 where x[j] * id + (half + 0.5) >= 2 * half { clipped += 1 }
      return (abs(BlockDecoding.half(block)), clipped)
    case .q4_1, .q5_1:
      return (abs(BlockDecoding.half(block)), 0)
    case .q2_k, .q3_k, .q4_k, .q5_k, .q6_k:
      return (KQuantSteps.meanStep(type, block), 0)
    default:
      return (0, 0)
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

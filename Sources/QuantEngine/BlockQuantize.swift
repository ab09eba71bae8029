import TensorCore

/// Dispatch from a ggml block type to its quantizer.
enum BlockQuantize {
  static func quantize(_ type: DType, _ x: UnsafePointer<Float>, blocks: Int, into out: UnsafeMutablePointer<UInt8>) {
    switch type {
    case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1:
      GGMLLegacyFast.quantize(type, x, blocks: blocks, into: out)
    default:
      KQuantQuantize.quantize(type, x, blocks: blocks, into: out)
    }
  }
}

import TensorCore

/// K-quant quantizers (ggml's reference algorithms without an importance matrix).
enum KQuantQuantize {
  static func quantize(_ type: DType, _ x: UnsafePointer<Float>, blocks: Int, into out: UnsafeMutablePointer<UInt8>) {
    // Filled in per type below; an unknown type leaves zero blocks.
  }
}

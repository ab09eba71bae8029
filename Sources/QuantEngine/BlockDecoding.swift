import TensorCore

/// Decoders for ggml blocks, one function per type, following gguf-py's numpy dequantizers
/// operation for operation (so results are bit-identical).
enum BlockDecoding {
  typealias Decoder = @Sendable (UnsafePointer<UInt8>, UnsafeMutablePointer<Float>) -> Void

  /// The decoder for a block type, or nil when the engine cannot decode it.
  static func decoder(for type: DType) -> Decoder? {
    switch type {
    case .q8_0: return q8_0
    case .q4_0: return q4_0
    case .q4_1: return q4_1
    case .q5_0: return q5_0
    case .q5_1: return q5_1
    case .q2_k: return KQuantDecoding.q2_k
    case .q3_k: return KQuantDecoding.q3_k
    case .q4_k: return KQuantDecoding.q4_k
    case .q5_k: return KQuantDecoding.q5_k
    case .q6_k: return KQuantDecoding.q6_k
    case .iq4_nl: return OtherBlockDecoding.iq4_nl
    case .iq4_xs: return OtherBlockDecoding.iq4_xs
    case .tq1_0: return OtherBlockDecoding.tq1_0
    case .tq2_0: return OtherBlockDecoding.tq2_0
    case .mxfp4: return OtherBlockDecoding.mxfp4
    case .nvfp4: return OtherBlockDecoding.nvfp4
    case .iq2_xxs: return IQ2Decoding.iq2_xxs
    case .iq2_xs: return IQ2Decoding.iq2_xs
    case .iq2_s: return IQ2Decoding.iq2_s
    case .iq3_xxs: return IQ3Decoding.iq3_xxs
    case .iq3_s: return IQ3Decoding.iq3_s
    case .iq1_s: return IQ1Decoding.iq1_s
    case .iq1_m: return IQ1Decoding.iq1_m
    default: return nil
    }
  }

  @inline(__always)
  static func half(_ p: UnsafePointer<UInt8>) -> Float {
    HalfPrecision.float(fromHalfBits: UInt16(p[0]) | UInt16(p[1]) << 8)
  }

  static func q8_0(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b)
    for j in 0..<32 { y[j] = Float(Int8(bitPattern: b[2 + j])) * d }
  }

  static func q4_0(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b)
    for j in 0..<16 {
      y[j] = d * Float(Int(b[2 + j] & 0x0F) - 8)
      y[j + 16] = d * Float(Int(b[2 + j] >> 4) - 8)
    }
  }

  static func q4_1(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b), m = half(b + 2)
    for j in 0..<16 {
      y[j] = d * Float(b[4 + j] & 0x0F) + m
      y[j + 16] = d * Float(b[4 + j] >> 4) + m
    }
  }

  @inline(__always)
  static func fifthBits(_ p: UnsafePointer<UInt8>) -> UInt32 {
    UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
  }

  static func q5_0(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b), qh = fifthBits(b + 2)
    for j in 0..<16 {
      let lo = Int(b[6 + j] & 0x0F) | Int((qh >> UInt32(j)) & 1) << 4
      let hi = Int(b[6 + j] >> 4) | Int((qh >> UInt32(j + 16)) & 1) << 4
      y[j] = d * Float(lo - 16)
      y[j + 16] = d * Float(hi - 16)
    }
  }

  static func q5_1(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = half(b), m = half(b + 2), qh = fifthBits(b + 4)
    for j in 0..<16 {
      let lo = Int(b[8 + j] & 0x0F) | Int((qh >> UInt32(j)) & 1) << 4
      let hi = Int(b[8 + j] >> 4) | Int((qh >> UInt32(j + 16)) & 1) << 4
      y[j] = d * Float(lo) + m
      y[j + 16] = d * Float(hi) + m
    }
  }

  /// Decodes `count` elements of `type` from exactly `count / blockSize` blocks.
  static func decode(
    _ type: DType, from bytes: UnsafeRawBufferPointer, count: Int, into output: UnsafeMutableBufferPointer<Float>
  ) throws(QuantError) {
    guard let decode = decoder(for: type) else { throw .unsupportedBlockType(type.rawValue) }
    guard count >= 0, count % type.blockSize == 0 else {
      throw .malformedData("\(count) elements is not a whole number of \(type.rawValue) blocks of \(type.blockSize)")
    }
    let blocks = count / type.blockSize
    guard let needed = Checked.multiply(blocks, type.bytesPerBlock), bytes.count == needed else {
      throw .malformedData("\(type.rawValue): \(count) elements need \(blocks) blocks of \(type.bytesPerBlock) bytes, got \(bytes.count) bytes")
    }
    guard output.count >= count else {
      throw .malformedData("output holds \(output.count) values, \(count) needed")
    }
    guard blocks > 0, let source = bytes.baseAddress, let out = output.baseAddress else { return }
    let base = source.assumingMemoryBound(to: UInt8.self)
    for b in 0..<blocks {
      decode(base + b * type.bytesPerBlock, out + b * type.blockSize)
    }
  }
}

import TensorCore

/// Scalar reference quantizers for ggml's 32-element blocks, bit-exact with gguf-py's numpy
/// code: float32 arithmetic, one rounding per operation, no fused multiply-add.
enum GGMLLegacyQuantize {
  static let blockSize = 32

  /// What numpy's `astype(uint8/int8)` gives on x86-64: truncate toward zero through int32, so
  /// NaN/Inf and values beyond int32 become 0 (reached only when a subnormal scale overflows 1/d).
  @inline(__always)
  static func numpyByte(_ v: Float) -> UInt8 {
    guard v.isFinite, abs(v) < 2_147_483_648 else { return 0 }
    return UInt8(truncatingIfNeeded: Int32(v))
  }

  /// numpy's `np_roundf`: half away from zero, NaN stays NaN.
  @inline(__always)
  static func roundHalfAway(_ v: Float) -> Float {
    let a = abs(v)
    let floored = a.rounded(.down)
    let b = floored + (2 * (a - floored)).rounded(.down)
    return v < 0 ? -b : (v > 0 ? b : (v.isNaN ? .nan : 0 * b))
  }

  @inline(__always)
  static func storeHalf(_ value: Float, _ out: UnsafeMutablePointer<UInt8>) {
    let bits = HalfPrecision.halfBits(from: value)
    out[0] = UInt8(truncatingIfNeeded: bits)
    out[1] = UInt8(truncatingIfNeeded: bits >> 8)
  }

  /// Q8_0: d = max|x|/127, q = roundf(x·(1/d)).
  static func q8_0(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>) {
    var amax: Float = 0
    for j in 0..<blockSize { amax = max(amax, abs(x[j])) }
    let d = amax / 127
    let id: Float = d != 0 ? 1 / d : 0
    storeHalf(d, out)
    for j in 0..<blockSize {
      out[2 + j] = numpyByte(roundHalfAway(x[j] * id))
    }
  }

  /// The signed value with the largest magnitude (first one on ties).
  @inline(__always)
  static func signedAbsMax(_ x: UnsafePointer<Float>) -> Float {
    var best: Float = 0, bestAbs: Float = 0
    for j in 0..<blockSize where abs(x[j]) > bestAbs {
      bestAbs = abs(x[j]); best = x[j]
    }
    return best
  }

  /// Q4_0 (levels 16) and Q5_0 (levels 32): d = max/−(levels/2), q = min(levels−1, trunc(x·id + levels/2 + 0.5)).
  static func symmetric(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, levels: Int, scratch q: UnsafeMutablePointer<UInt8>) {
    let half = Float(levels / 2)
    let d = signedAbsMax(x) / -half
    let id: Float = d != 0 ? 1 / d : 0
    storeHalf(d, out)
    for j in 0..<blockSize {
      q[j] = min(UInt8(levels - 1), numpyByte((x[j] * id + (half + 0.5)).rounded(.towardZero)))
    }
    pack(q, into: out + 2, fifthBit: levels == 32)
  }

  /// Q4_1 (levels 16) and Q5_1 (levels 32): d = (max−min)/(levels−1), q = min(levels−1, trunc((x−min)·id + 0.5)).
  static func affine(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>, levels: Int, scratch q: UnsafeMutablePointer<UInt8>) {
    var lo = x[0], hi = x[0]
    for j in 1..<blockSize { lo = min(lo, x[j]); hi = max(hi, x[j]) }
    let d = (hi - lo) / Float(levels - 1)
    let id: Float = d != 0 ? 1 / d : 0
    storeHalf(d, out)
    storeHalf(lo, out + 2)
    for j in 0..<blockSize {
      q[j] = min(UInt8(levels - 1), numpyByte(((x[j] - lo) * id + 0.5).rounded(.towardZero)))
    }
    pack(q, into: out + 4, fifthBit: levels == 32)
  }

  /// Nibbles: byte j holds q[j] (low) and q[j+16] (high). With a fifth bit, a little-endian u32
  /// of bit 4 of each q comes first.
  static func pack(_ q: UnsafeMutablePointer<UInt8>, into out: UnsafeMutablePointer<UInt8>, fifthBit: Bool) {
    var p = out
    if fifthBit {
      var qh: UInt32 = 0
      for j in 0..<blockSize { qh |= UInt32((q[j] >> 4) & 1) << UInt32(j) }
      for b in 0..<4 { p[b] = UInt8(truncatingIfNeeded: qh >> UInt32(8 * b)) }
      p += 4
    }
    for j in 0..<16 { p[j] = (q[j] & 0x0F) | (q[j + 16] << 4) }
  }

  /// Quantizes `blocks` consecutive blocks.
  static func quantize(_ type: DType, _ x: UnsafePointer<Float>, blocks: Int, into out: UnsafeMutablePointer<UInt8>) {
    let stride = type.bytesPerBlock
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: blockSize) { scratch in
      guard let q = scratch.baseAddress else { return }
      for b in 0..<blocks {
        let src = x + b * blockSize, dst = out + b * stride
        switch type {
        case .q8_0: q8_0(src, dst)
        case .q4_0: symmetric(src, dst, levels: 16, scratch: q)
        case .q5_0: symmetric(src, dst, levels: 32, scratch: q)
        case .q4_1: affine(src, dst, levels: 16, scratch: q)
        case .q5_1: affine(src, dst, levels: 32, scratch: q)
        default: break
        }
      }
    }
  }
}

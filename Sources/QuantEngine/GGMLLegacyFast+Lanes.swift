import TensorCore

/// Four-lane building blocks for the ggml block kernels. The build targets baseline x86-64
/// (SSE2): a 4-lane select compiles to one `maxps`/`minps`, while the same select on 8 lanes
/// becomes compare + mask fix-up + and/andn/or per half, so these kernels work on SSE-width
/// vectors throughout (see docs/swift-performance.md for the other forms used here).
typealias F4 = SIMD4<Float>
typealias I4 = SIMD4<Int32>

extension GGMLLegacyFast {
  @inline(__always)
  static func loadF4(_ x: UnsafePointer<Float>, _ index: Int) -> F4 {
    UnsafeRawPointer(x + index).loadUnaligned(as: F4.self)
  }

  @inline(__always)
  static func maxF4(_ a: F4, _ b: F4) -> F4 { a.replacing(with: b, where: b .> a) }

  @inline(__always)
  static func minF4(_ a: F4, _ b: F4) -> F4 { a.replacing(with: b, where: b .< a) }

  /// Lane-wise max and min of 32 values as balanced trees (written out: in a loop the
  /// vectoriser turns the selects into shuffles).
  @inline(__always)
  static func extremes(_ x: UnsafePointer<Float>) -> (hi: F4, lo: F4) {
    let v0 = loadF4(x, 0), v1 = loadF4(x, 4), v2 = loadF4(x, 8), v3 = loadF4(x, 12)
    let v4 = loadF4(x, 16), v5 = loadF4(x, 20), v6 = loadF4(x, 24), v7 = loadF4(x, 28)
    let hi = maxF4(maxF4(maxF4(v0, v1), maxF4(v2, v3)), maxF4(maxF4(v4, v5), maxF4(v6, v7)))
    let lo = minF4(minF4(minF4(v0, v1), minF4(v2, v3)), minF4(minF4(v4, v5), minF4(v6, v7)))
    return (hi, lo)
  }

  /// Lane-wise max of |x| over 32 values.
  @inline(__always)
  static func magnitudeMax(_ x: UnsafePointer<Float>) -> F4 {
    let mask = I4(repeating: 0x7FFF_FFFF)
    @inline(__always) func abs4(_ i: Int) -> F4 {
      unsafeBitCast(unsafeBitCast(loadF4(x, i), to: I4.self) & mask, to: F4.self)
    }
    let a = maxF4(maxF4(abs4(0), abs4(4)), maxF4(abs4(8), abs4(12)))
    let b = maxF4(maxF4(abs4(16), abs4(20)), maxF4(abs4(24), abs4(28)))
    return maxF4(a, b)
  }

  /// Largest lane, by two swap-and-max steps (scalar selects here compile to a long
  /// compare-and-blend sequence). Lanes are never NaN on this path; only the sign of a zero
  /// result can depend on the order, and zero extremes go to the reference.
  @inline(__always)
  static func laneMax(_ v: F4) -> Float {
    let a = maxF4(v, F4(v[2], v[3], v[0], v[1]))
    return maxF4(a, F4(a[1], a[0], a[3], a[2]))[0]
  }

  @inline(__always)
  static func laneMin(_ v: F4) -> Float {
    let a = minF4(v, F4(v[2], v[3], v[0], v[1]))
    return minF4(a, F4(a[1], a[0], a[3], a[2]))[0]
  }

  /// fp16 bits of a block scale, inline for the usual normal range (|v| in [2⁻¹⁴, 2¹⁶)):
  /// rebias the exponent, add 0xFFF plus the kept mantissa's low bit and shift, which rounds to
  /// nearest even (a carry moves into the exponent, up to inf). Anything else goes to
  /// ``HalfPrecision``, which this equals on that range (tested).
  @inline(__always)
  static func halfBits(_ v: Float) -> UInt16 {
    let magnitude = v.bitPattern & 0x7FFF_FFFF
    guard magnitude >= 0x3880_0000, magnitude < 0x4780_0000 else { return HalfPrecision.halfBits(from: v) }
    let rounded = (magnitude - 0x3800_0000 + 0xFFF + ((magnitude >> 13) & 1)) >> 13
    return UInt16(truncatingIfNeeded: rounded | (v.bitPattern >> 16) & 0x8000)
  }

  @inline(__always)
  static func storeHalf(_ v: Float, _ out: UnsafeMutablePointer<UInt8>) {
    UnsafeMutableRawPointer(out).storeBytes(of: halfBits(v).littleEndian, as: UInt16.self)
  }

  /// floor(t) for 0 ≤ t < 2²² as the low bits of `t + 1.5·2²³`: that sum rounds t to nearest
  /// even, and the lanes that went up step back by one (the mask is −1). The high bits hold the
  /// magic exponent, which byte truncation drops. `flags` collects the sums' bits: bit 29 is
  /// clear for every finite t in range and set for NaN/Inf.
  @inline(__always)
  static func floorBits(_ t: F4, _ flags: inout I4) -> I4 {
    let magic = F4(repeating: roundingMagic)
    let big = t + magic
    let bits = unsafeBitCast(big, to: I4.self)
    flags |= bits
    return bits &+ I4().replacing(with: -1, where: (big - magic) .> t)
  }

  /// roundf(p) (half away from zero) as an Int32 for |p| < 2²²: round |p| to even, bump the
  /// exact halves that went down, restore the sign in integer form.
  @inline(__always)
  static func roundHalfAwayBits(_ p: F4, _ flags: inout I4) -> I4 {
    let bits = unsafeBitCast(p, to: I4.self)
    let a = unsafeBitCast(bits & I4(repeating: 0x7FFF_FFFF), to: F4.self)
    let magic = F4(repeating: roundingMagic)
    let big = a + magic
    flags |= unsafeBitCast(big, to: I4.self)
    let up = I4().replacing(with: -1, where: (a - (big - magic)) .== F4(repeating: 0.5))
    let k = (unsafeBitCast(big, to: I4.self) &- up) &- I4(repeating: roundingMagicBits)
    let sign = bits &>> I4(repeating: 31)
    return (k ^ sign) &- sign
  }

  /// Low bytes of 16 lanes (vectorised by the standard library's concrete conversion).
  @inline(__always)
  static func bytes(_ a: I4, _ b: I4, _ c: I4, _ d: I4) -> SIMD16<UInt8> {
    SIMD16<UInt8>(truncatingIfNeeded: SIMD16<Int32>(lowHalf: SIMD8(lowHalf: a, highHalf: b), highHalf: SIMD8(lowHalf: c, highHalf: d)))
  }

  /// min(levels − 1, q) per byte (one `pminub`).
  @inline(__always)
  static func capped(_ q: SIMD16<UInt8>, _ levels: Int) -> SIMD16<UInt8> {
    pointwiseMin(q, SIMD16<UInt8>(repeating: UInt8(truncatingIfNeeded: levels - 1)))
  }

  /// Bit 4 of each of 16 bytes, gathered into 16 bits (byte j → bit j): isolate the bit in each
  /// byte of a 64-bit word, then one multiply moves byte i's bit to bit 56 + i with no carries.
  @inline(__always)
  static func fifthBits(_ v: SIMD16<UInt8>) -> UInt32 {
    let words = unsafeBitCast(v, to: SIMD2<UInt64>.self)
    @inline(__always) func gather(_ w: UInt64) -> UInt32 {
      UInt32(truncatingIfNeeded: (((w >> 4) & 0x0101_0101_0101_0101) &* 0x0102_0408_1020_4080) >> 56)
    }
    return gather(words[0]) | gather(words[1]) << 8
  }

  /// Nibble packing (byte j = q[j] | q[j+16] << 4), with the fifth-bit word first for Q5 types.
  @inline(__always)
  static func store(low: SIMD16<UInt8>, high: SIMD16<UInt8>, _ out: UnsafeMutablePointer<UInt8>, fifthBit: Bool) {
    let nibbles = (low & SIMD16(repeating: 15)) | (high &<< SIMD16(repeating: 4))
    if fifthBit {
      let qh = fifthBits(low) | fifthBits(high) << 16
      UnsafeMutableRawPointer(out).storeBytes(of: qh.littleEndian, as: UInt32.self)
      UnsafeMutableRawPointer(out + 4).storeBytes(of: nibbles, as: SIMD16<UInt8>.self)
    } else {
      UnsafeMutableRawPointer(out).storeBytes(of: nibbles, as: SIMD16<UInt8>.self)
    }
  }
}

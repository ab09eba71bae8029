import TensorCore

/// Vectorised f16/bf16 rounding for finite input (callers refuse NaN/Inf first), bit-identical
/// to ``TensorCore/HalfPrecision``: round to nearest even, overflow to ±inf, subnormals kept.
///
/// Comparisons use explicit vector constants: comparing a SIMD vector with a scalar literal
/// compiles to a slow per-lane loop.
enum FloatCastFast {
  typealias U8x8 = SIMD8<UInt32>

  /// float32 → binary16 for the portable encoder, four lanes at a time, in two steps so the
  /// rare subnormal lanes can be skipped: this one gives the normal-range bits. The magnitude is
  /// capped at 65536 with one float minimum (from 65520 up everything then rounds to the infinity
  /// pattern) and the exponent rebias is folded into the rounding add.
  /// Returns the normal-range half bits (wrong for |x| < 2⁻¹⁴), the sign bit in place, and the
  /// capped magnitude.
  @inline(__always)
  static func normalHalfBits4(_ v: F4) -> (SIMD4<UInt32>, SIMD4<UInt32>, F4) {
    typealias U4 = SIMD4<UInt32>
    let bits = unsafeBitCast(v, to: U4.self)
    let magnitude = bits & U4(repeating: 0x7FFF_FFFF)
    let sign = (bits ^ magnitude) &>> U4(repeating: 16)
    var m = unsafeBitCast(magnitude, to: F4.self)
    let cap = F4(repeating: 65536)
    m = m.replacing(with: cap, where: m .> cap)
    let mb = unsafeBitCast(m, to: U4.self)
    let odd = (mb &>> U4(repeating: 13)) & U4(repeating: 1)
    return ((mb &+ U4(repeating: 0x0FFF &- 0x3800_0000) &+ odd) &>> U4(repeating: 13), sign, m)
  }

  /// Lanes with |x| < 2⁻¹⁴ replaced by their subnormal half bits: |x| + 0.5 holds |x| rounded to
  /// even in units of 2⁻²⁴ in its low bits.
  @inline(__always)
  static func withSubnormals(_ normal: SIMD4<UInt32>, _ m: F4) -> SIMD4<UInt32> {
    let subnormal = unsafeBitCast(m + F4(repeating: 0.5), to: SIMD4<UInt32>.self) &- SIMD4<UInt32>(repeating: 0x3F00_0000)
    return normal.replacing(with: subnormal, where: m .< F4(repeating: 6.103515625e-05))
  }

  /// The float a reader gets back from the stored half.
  @inline(__always)
  static func roundTripHalf(_ v: F8) -> F8 {
    let bits = unsafeBitCast(v, to: U8x8.self)
    let sign = bits & 0x8000_0000
    let magnitude = bits & 0x7FFF_FFFF
    let rounded = (magnitude &+ 0x0FFF &+ ((magnitude &>> 13) & 1)) & 0xFFFF_E000
    var result = unsafeBitCast(rounded, to: F8.self)
    let scaled = unsafeBitCast(magnitude, to: F8.self) * F8(repeating: 16_777_216)
    let subnormal = roundEven(scaled) * F8(repeating: 1.0 / 16_777_216)
    let small = unsafeBitCast(magnitude, to: SIMD8<Int32>.self) .< SIMD8<Int32>(repeating: 0x3880_0000)
    result.replace(with: subnormal, where: small)
    result.replace(with: F8(repeating: .infinity), where: unsafeBitCast(magnitude, to: SIMD8<Int32>.self) .>= SIMD8<Int32>(repeating: 0x477F_F000))
    return unsafeBitCast(unsafeBitCast(result, to: U8x8.self) | sign, to: F8.self)
  }

  /// float32 → bfloat16 bits (finite input) in the low 16 bits of each lane.
  @inline(__always)
  static func bfloat16Bits(_ v: F8) -> U8x8 {
    let bits = unsafeBitCast(v, to: U8x8.self)
    return (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16
  }

  @inline(__always)
  static func roundTripBFloat16(_ v: F8) -> F8 {
    unsafeBitCast(bfloat16Bits(v) &<< 16, to: F8.self)
  }

  /// Rounds `count` values the way the scheme stores them, writing the stored floats to `y`.
  /// `hardware` picks F16C for f16 (the default when the CPU has it); tests turn it off to
  /// compare the two paths.
  static func roundTrip(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, bfloat: Bool,
    hardware: Bool = HardwareHalf.isAvailable
  ) {
    if !bfloat && hardware { HardwareHalf.roundTrip(x, count: count, into: y); return }
    var i = 0
    while i + 8 <= count {
      let v = loadF8(x, i)
      storeF8(bfloat ? roundTripBFloat16(v) : roundTripHalf(v), y, i)
      i += 8
    }
    while i < count {
      y[i] = FloatCast.roundTrip(x[i], scheme: bfloat ? .bf16 : .f16)
      i += 1
    }
  }

  /// Stores `count` values as little-endian 16-bit elements; false when a NaN/Inf was met (its
  /// element's bytes are then meaningless). Finite magnitudes stay below 0x7F80_0000, so adding
  /// 2²³ sets the top bit only for NaN/Inf; the sums are ORed together and checked once.
  /// `hardware` as in ``roundTrip(_:_:count:bfloat:hardware:)``.
  @discardableResult
  static func encode(
    _ x: UnsafePointer<Float>, count: Int, bfloat: Bool, into out: UnsafeMutablePointer<UInt8>,
    hardware: Bool = HardwareHalf.isAvailable
  ) -> Bool {
    if !bfloat && hardware {
      // Little-endian only: the element bytes are the UInt16 in memory order.
      #if _endian(little)
        return UnsafeMutableRawPointer(out).withMemoryRebound(to: UInt16.self, capacity: count) {
          HardwareHalf.encode(x, count: count, into: $0)
        }
      #endif
    }
    var flags = U8x8()
    let mask = U8x8(repeating: 0x7FFF_FFFF), step = U8x8(repeating: 0x0080_0000)
    var i = 0
    if bfloat {
      while i + 8 <= count {
        let v = loadF8(x, i)
        flags |= (unsafeBitCast(v, to: U8x8.self) & mask) &+ step
        UnsafeMutableRawPointer(out + 2 * i).storeBytes(of: SIMD8<UInt16>(truncatingIfNeeded: bfloat16Bits(v)), as: SIMD8<UInt16>.self)
        i += 8
      }
    } else {
      var flags4 = SIMD4<UInt32>()
      let mask4 = SIMD4<UInt32>(repeating: 0x7FFF_FFFF), step4 = SIMD4<UInt32>(repeating: 0x0080_0000)
      // Subnormal halves are rare in weights: test for them once per eight values and blend
      // them in only then.
      let smallest = F4(repeating: 6.103515625e-05)
      while i + 8 <= count {
        let a = GGMLLegacyFast.loadF4(x, i), b = GGMLLegacyFast.loadF4(x, i + 4)
        flags4 |= ((unsafeBitCast(a, to: SIMD4<UInt32>.self) & mask4) &+ step4) | ((unsafeBitCast(b, to: SIMD4<UInt32>.self) & mask4) &+ step4)
        let (loNormal, loSign, loM) = normalHalfBits4(a)
        let (hiNormal, hiSign, hiM) = normalHalfBits4(b)
        var lo = loNormal, hi = hiNormal
        if any(GGMLLegacyFast.minF4(loM, hiM) .< smallest) {
          lo = withSubnormals(lo, loM); hi = withSubnormals(hi, hiM)
        }
        let bits = SIMD8<UInt32>(lowHalf: lo | loSign, highHalf: hi | hiSign)
        UnsafeMutableRawPointer(out + 2 * i).storeBytes(of: SIMD8<UInt16>(truncatingIfNeeded: bits), as: SIMD8<UInt16>.self)
        i += 8
      }
      flags = U8x8(lowHalf: flags4, highHalf: flags4)
    }
    var finite = (flags & U8x8(repeating: 0x8000_0000)) == U8x8()
    while i < count {
      if !x[i].isFinite { finite = false }
      let bits = bfloat ? HalfPrecision.bfloat16Bits(from: x[i]) : HalfPrecision.halfBits(from: x[i])
      out[2 * i] = UInt8(truncatingIfNeeded: bits); out[2 * i + 1] = UInt8(truncatingIfNeeded: bits >> 8)
      i += 1
    }
    return finite
  }
}

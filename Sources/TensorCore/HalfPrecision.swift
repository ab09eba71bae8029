/// Software IEEE binary16 and bfloat16 conversions.
///
/// Written out in integer arithmetic so results are identical on every platform (Swift's `Float16`
/// is missing on Intel macOS) and match numpy `astype(float16)`, F16C and ggml: round to nearest
/// even, overflow to ±inf, subnormals kept, NaN stays NaN.
public enum HalfPrecision {
  /// float32 → binary16 bits, round to nearest even.
  @inlinable
  public static func halfBits(from value: Float) -> UInt16 {
    let bits = value.bitPattern
    let sign = UInt16((bits >> 16) & 0x8000)
    let exponent = Int((bits >> 23) & 0xFF)
    let mantissa = bits & 0x7F_FFFF
    if exponent == 0xFF {
      // Inf stays inf; NaN keeps a quiet payload bit so it cannot become inf.
      return mantissa == 0 ? sign | 0x7C00 : sign | 0x7E00 | UInt16(truncatingIfNeeded: mantissa >> 13)
    }
    let halfExponent = exponent - 127 + 15
    if halfExponent >= 0x1F { return sign | 0x7C00 }
    if halfExponent <= 0 {
      // Subnormal half (or zero): shift the implicit-1 mantissa right and round to even.
      if halfExponent < -10 { return sign }
      let full = mantissa | 0x80_0000
      let shift = UInt32(14 - halfExponent)
      var result = full >> shift
      let remainder = full & ((1 << shift) - 1)
      let halfway = UInt32(1) << (shift - 1)
      if remainder > halfway || (remainder == halfway && (result & 1) == 1) { result += 1 }
      return sign | UInt16(truncatingIfNeeded: result)
    }
    var result = UInt32(halfExponent) << 10 | (mantissa >> 13)
    let remainder = mantissa & 0x1FFF
    if remainder > 0x1000 || (remainder == 0x1000 && (result & 1) == 1) {
      result += 1  // may carry into the exponent, which correctly rounds up to the next binade or inf
    }
    return sign | UInt16(truncatingIfNeeded: result)
  }

  /// binary16 bits → float32 (exact).
  @inlinable
  public static func float(fromHalfBits half: UInt16) -> Float {
    let sign = UInt32(half & 0x8000) << 16
    let exponent = UInt32((half >> 10) & 0x1F)
    let mantissa = UInt32(half & 0x3FF)
    if exponent == 0 {
      if mantissa == 0 { return Float(bitPattern: sign) }
      // Subnormal: value = mantissa · 2^-24, exact in float32.
      let magnitude = Float(mantissa) * Float(bitPattern: 0x3380_0000)
      return sign == 0 ? magnitude : -magnitude
    }
    if exponent == 0x1F {
      return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    }
    return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
  }

  /// float32 → bfloat16 bits, round to nearest even; NaN becomes a quiet NaN (ggml's rule).
  @inlinable
  public static func bfloat16Bits(from value: Float) -> UInt16 {
    let bits = value.bitPattern
    if (bits & 0x7FFF_FFFF) > 0x7F80_0000 {
      return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
    }
    let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
    return UInt16(truncatingIfNeeded: rounded >> 16)
  }

  @inlinable
  public static func float(fromBFloat16Bits bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
  }

  /// The float32 value after a round trip through binary16.
  @inlinable
  public static func roundedToHalf(_ value: Float) -> Float { float(fromHalfBits: halfBits(from: value)) }
}

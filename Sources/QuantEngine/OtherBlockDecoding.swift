/// Decoders for the non-linear and ternary ggml types that need no grid tables.
enum OtherBlockDecoding {
  /// IQ4_NL / IQ4_XS code book.
  static let iq4Values: [Float] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]
  /// MXFP4 (E2M1) values, doubled; the block scale is halved to match.
  static let e2m1Doubled: [Float] = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]

  static func iq4_nl(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = BlockDecoding.half(b)
    for j in 0..<16 {
      y[j] = d * iq4Values[Int(b[2 + j] & 0x0F)]
      y[j + 16] = d * iq4Values[Int(b[2 + j] >> 4)]
    }
  }

  static func iq4_xs(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = BlockDecoding.half(b)
    let scalesHigh = UInt16(b[2]) | UInt16(b[3]) << 8
    let scalesLow = b + 4, qs = b + 8
    for ib in 0..<8 {
      let low = (scalesLow[ib / 2] >> UInt8(4 * (ib % 2))) & 0x0F
      let high = UInt8(truncatingIfNeeded: (scalesHigh >> UInt16(2 * ib)) & 3)
      let dl = d * Float(Int(low | high << 4) - 32)
      for l in 0..<16 {
        let byte = qs[16 * ib + l]
        y[32 * ib + l] = dl * iq4Values[Int(byte & 0x0F)]
        y[32 * ib + l + 16] = dl * iq4Values[Int(byte >> 4)]
      }
    }
  }

  static func tq2_0(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = BlockDecoding.half(b + 64)
    for e in 0..<256 {
      let (h, r) = e.quotientAndRemainder(dividingBy: 128)
      let q = Int((b[32 * h + r % 32] >> UInt8(2 * (r / 32))) & 3) - 1
      y[e] = d * Float(q)
    }
  }

  /// Five (or four) base-3 digits per byte as a fixed-point fraction: multiplying by 3^p
  /// (mod 256) brings digit p to the top, `(byte·3) >> 8` reads it.
  static func tq1_0(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let powers: [UInt8] = [1, 3, 9, 27, 81]
    let d = BlockDecoding.half(b + 52)
    func trit(_ byte: UInt8, _ p: Int) -> Float {
      let shifted = byte &* powers[p]
      return Float(Int((UInt16(shifted) * 3) >> 8) - 1)
    }
    for e in 0..<160 { y[e] = d * trit(b[e % 32], e / 32) }
    for e in 0..<80 { y[160 + e] = d * trit(b[32 + e % 16], e / 16) }
    for e in 0..<16 { y[240 + e] = d * trit(b[48 + e % 4], e / 4) }
  }

  /// E8M0 exponent to float, halved (ggml's `e8m0_to_fp32_half`).
  static func e8m0Half(_ e: UInt8) -> Float {
    e < 2 ? Float(bitPattern: UInt32(0x0020_0000) << UInt32(e)) : Float(bitPattern: UInt32(e - 1) << 23)
  }

  static func mxfp4(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = e8m0Half(b[0])
    for j in 0..<16 {
      y[j] = d * e2m1Doubled[Int(b[1 + j] & 0x0F)]
      y[j + 16] = d * e2m1Doubled[Int(b[1 + j] >> 4)]
    }
  }

  /// NVFP4 sub-block scale: unsigned E4M3 (bias 7) halved, like the E2M1 values are doubled; the
  /// codes 0 and 0x7F read as 0. Every result is exact in float32.
  static func ue4m3Half(_ x: UInt8) -> Float {
    if x == 0 || x == 0x7F { return 0 }
    let exponent = Int((x >> 3) & 0x0F), mantissa = Int(x & 7)
    if exponent == 0 { return Float(mantissa) * 0x1p-10 }
    return Float(8 + mantissa) * Float(sign: .plus, exponent: exponent - 11, significand: 1)
  }

  /// 36 bytes for 64 elements: four E4M3 scales, then four 16-element sub-blocks of 8 bytes
  /// (element j in the low nibble, j + 8 in the high nibble).
  static func nvfp4(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    for s in 0..<4 {
      let d = ue4m3Half(b[s])
      let qs = b + 4 + 8 * s
      for j in 0..<8 {
        y[16 * s + j] = d * e2m1Doubled[Int(qs[j] & 0x0F)]
        y[16 * s + 8 + j] = d * e2m1Doubled[Int(qs[j] >> 4)]
      }
    }
  }
}

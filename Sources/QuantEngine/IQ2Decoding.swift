/// Decoders for the 2-bit i-quants (IQ2_XXS, IQ2_XS, IQ2_S). Each group of 8 elements is one row
/// of a code book of magnitudes plus 8 sign bits; a 4-bit scale covers 16 or 32 elements.
/// Arithmetic follows gguf-py's numpy order in float32: `(d·(½ + s)·¼ · g) · ±1`.
enum IQ2Decoding {
  /// Element j of a packed code-book row (one signed byte per element).
  @inline(__always)
  static func gridValue(_ row: UInt64, _ j: Int) -> Float {
    Float(Int8(truncatingIfNeeded: row >> UInt64(8 * j)))
  }

  @inline(__always)
  static func gridValue(_ row: UInt32, _ j: Int) -> Float {
    Float(Int8(truncatingIfNeeded: row >> UInt32(8 * j)))
  }

  /// +1 or −1 for bit j of a sign byte. A multiply (not a negation) keeps NaN payloads as numpy does.
  @inline(__always)
  static func sign(_ bits: UInt8, _ j: Int) -> Float {
    (bits >> UInt8(j)) & 1 == 0 ? 1 : -1
  }

  @inline(__always)
  static func u16(_ p: UnsafePointer<UInt8>) -> UInt16 { UInt16(p[0]) | UInt16(p[1]) << 8 }

  @inline(__always)
  static func u32(_ p: UnsafePointer<UInt8>) -> UInt32 {
    UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
  }

  /// Writes 8 elements: `(scale · g_j) · sign_j`.
  @inline(__always)
  static func put8(_ y: UnsafeMutablePointer<Float>, _ scale: Float, _ row: UInt64, _ signs: UInt8) {
    for j in 0..<8 { y[j] = scale * gridValue(row, j) * sign(signs, j) }
  }

  /// The 4-bit scale of 16-element group `g` (two per byte, low nibble first), as `d·(½ + s)·¼`.
  @inline(__always)
  static func nibbleScale(_ d: Float, _ scales: UnsafePointer<UInt8>, _ g: Int) -> Float {
    let s = (scales[g / 2] >> UInt8(4 * (g % 2))) & 0x0F
    return d * (0.5 + Float(s)) * 0.25
  }

  /// 66 bytes: d, then 8 × (4 code-book indices, u32 of four 7-bit sign indices and a 4-bit scale).
  static func iq2_xxs(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = BlockDecoding.half(b)
    IQGridTables.iq2xxs.withUnsafeBufferPointer { grid in
      IQGridTables.signs.withUnsafeBufferPointer { signs in
        for ib in 0..<8 {
          let group = b + 2 + 8 * ib
          let aux = u32(group + 4)
          let db = d * (0.5 + Float(aux >> 28)) * 0.25
          for l in 0..<4 {
            let signBits = signs[Int((aux >> UInt32(7 * l)) & 127)]
            put8(y + 32 * ib + 8 * l, db, grid[Int(group[l])], signBits)
          }
        }
      }
    }
  }

  /// 74 bytes: d, 32 × u16 (9-bit code-book index, 7-bit sign index), 8 bytes of 4-bit scales.
  static func iq2_xs(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = BlockDecoding.half(b)
    let scales = b + 66
    IQGridTables.iq2xs.withUnsafeBufferPointer { grid in
      IQGridTables.signs.withUnsafeBufferPointer { signs in
        for k in 0..<32 {
          let q = u16(b + 2 + 2 * k)
          put8(y + 8 * k, nibbleScale(d, scales, k / 2), grid[Int(q & 511)], signs[Int(q >> 9)])
        }
      }
    }
  }

  /// 82 bytes: d, 32 low index bytes, 32 sign bytes, 8 bytes of 2-bit index tops, 8 bytes of scales.
  static func iq2_s(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = BlockDecoding.half(b)
    let qs = b + 2, signBytes = b + 34, qh = b + 66, scales = b + 74
    IQGridTables.iq2s.withUnsafeBufferPointer { grid in
      for k in 0..<32 {
        let top = Int((qh[k / 4] >> UInt8(2 * (k % 4))) & 3)
        let index = Int(qs[k]) | top << 8
        put8(y + 8 * k, nibbleScale(d, scales, k / 2), grid[index], signBytes[k])
      }
    }
  }
}

/// Decoders for the 3-bit i-quants (IQ3_XXS, IQ3_S): rows of 4 magnitudes from a code book, with
/// per-element signs and one scale per 32 elements, in gguf-py's float32 operation order.
enum IQ3Decoding {
  /// Writes 4 elements: `(scale · g_j) · sign`, signs taken from `signBits` starting at bit `first`.
  @inline(__always)
  static func put4(_ y: UnsafeMutablePointer<Float>, _ scale: Float, _ row: UInt32, _ signBits: UInt8, _ first: Int) {
    for j in 0..<4 { y[j] = scale * IQ2Decoding.gridValue(row, j) * IQ2Decoding.sign(signBits, first + j) }
  }

  /// 98 bytes: d, 64 code-book indices, 8 × u32 (four 7-bit sign indices and a 4-bit scale).
  static func iq3_xxs(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = BlockDecoding.half(b)
    let qs = b + 2
    IQGridTables.iq3xxs.withUnsafeBufferPointer { grid in
      IQGridTables.signs.withUnsafeBufferPointer { signs in
        for ib in 0..<8 {
          let aux = IQ2Decoding.u32(b + 66 + 4 * ib)
          let db = d * (0.5 + Float(aux >> 28)) * 0.5
          for l in 0..<4 {
            let signBits = signs[Int((aux >> UInt32(7 * l)) & 127)]
            let k = 8 * ib + 2 * l
            put4(y + 4 * k, db, grid[Int(qs[k])], signBits, 0)
            put4(y + 4 * k + 4, db, grid[Int(qs[k + 1])], signBits, 4)
          }
        }
      }
    }
  }

  /// 110 bytes: d, 64 low index bytes, 8 bytes of index top bits, 32 sign bytes, 4 bytes of scales.
  static func iq3_s(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = BlockDecoding.half(b)
    let qs = b + 2, qh = b + 66, signBytes = b + 74, scales = b + 106
    IQGridTables.iq3s.withUnsafeBufferPointer { grid in
      for k in 0..<64 {
        let top = Int((qh[k / 8] >> UInt8(k % 8)) & 1)
        let s = (scales[k / 16] >> UInt8(4 * ((k / 8) % 2))) & 0x0F
        let db = d * Float(1 + 2 * Int(s))
        put4(y + 4 * k, db, grid[Int(qs[k]) | top << 8], signBytes[k / 2], 4 * (k % 2))
      }
    }
  }
}

import TensorCore

/// Decoders for the 1.5-bit i-quants (IQ1_S, IQ1_M): rows of 8 values in {−1, 0, 1} from an
/// 11-bit code book, shifted by ±1/8 and scaled by `d·(2s + 1)`, as `dl · (g + δ)` in float32.
enum IQ1Decoding {
  @inline(__always)
  static func put8(_ y: UnsafeMutablePointer<Float>, _ scale: Float, _ row: UInt64, _ delta: Float) {
    for j in 0..<8 { y[j] = scale * (IQ2Decoding.gridValue(row, j) + delta) }
  }

  /// 50 bytes: d, 32 low index bytes, 8 × u16 (four 3-bit index tops, 3-bit scale, delta sign).
  static func iq1_s(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = BlockDecoding.half(b)
    let qs = b + 2
    IQGridTables.iq1s.withUnsafeBufferPointer { grid in
      for ib in 0..<8 {
        let h = IQ2Decoding.u16(b + 34 + 2 * ib)
        let dl = d * Float(2 * Int((h >> 12) & 7) + 1)
        let delta = h & 0x8000 == 0 ? IQGridTables.iq1Delta : -IQGridTables.iq1Delta
        for l in 0..<4 {
          let index = Int(qs[4 * ib + l]) | Int((h >> UInt16(3 * l)) & 7) << 8
          put8(y + 32 * ib + 8 * l, dl, grid[index], delta)
        }
      }
    }
  }

  /// The fp16 block scale of IQ1_M, spread over the top nibbles of its four u16 scale words.
  @inline(__always)
  static func iq1_mScale(_ scales: UnsafePointer<UInt8>) -> Float {
    var bits: UInt16 = 0
    for i in 0..<4 {
      bits |= (IQ2Decoding.u16(scales + 2 * i) & 0xF000) >> UInt16(12 - 4 * i)
    }
    return HalfPrecision.float(fromHalfBits: bits)
  }

  /// 56 bytes: 32 low index bytes, 16 bytes of nibbles (3-bit index top, delta sign), 4 × u16 of
  /// four 3-bit scales each (plus a nibble of the fp16 block scale).
  static func iq1_m(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let qs = b, qh = b + 32, scales = b + 48
    let d = iq1_mScale(scales)
    IQGridTables.iq1s.withUnsafeBufferPointer { grid in
      for k in 0..<32 {
        let s = k / 2
        let sv = (IQ2Decoding.u16(scales + 2 * (s / 4)) >> UInt16(3 * (s % 4))) & 7
        let dl = d * Float(2 * Int(sv) + 1)
        let nibble = (qh[k / 2] >> UInt8(4 * (k % 2))) & 0x0F
        let delta = nibble & 8 == 0 ? IQGridTables.iq1Delta : -IQGridTables.iq1Delta
        put8(y + 8 * k, dl, grid[Int(qs[k]) | Int(nibble & 7) << 8], delta)
      }
    }
  }
}

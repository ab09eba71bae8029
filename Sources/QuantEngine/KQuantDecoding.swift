/// K-quant block decoders (256 elements per super-block), mirroring gguf-py's numpy order of
/// operations: sub-block scale products first, then `scale·q − min`.
enum KQuantDecoding {
  static func q2_k(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let scales = b, qs = b + 16
    let d = BlockDecoding.half(b + 80), dmin = BlockDecoding.half(b + 82)
    for e in 0..<256 {
      let (h, r) = e.quotientAndRemainder(dividingBy: 128)
      let q = (qs[32 * h + r % 32] >> UInt8(2 * (r / 32))) & 3
      let sc = scales[e / 16]
      let dl = d * Float(sc & 0x0F), ml = dmin * Float(sc >> 4)
      y[e] = dl * Float(q) - ml
    }
  }

  /// Sixteen 6-bit Q3_K scales, already offset by −32.
  static func q3_kScale(_ s: UnsafePointer<UInt8>, _ j: Int) -> Int {
    let low = j < 8 ? s[j] & 0x0F : s[j - 8] >> 4
    let high = (s[8 + j % 4] >> UInt8(2 * (j / 4))) & 3
    return Int(low | high << 4) - 32
  }

  static func q3_k(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let hmask = b, qs = b + 32, scales = b + 96
    let d = BlockDecoding.half(b + 108)
    for e in 0..<256 {
      let (h, r) = e.quotientAndRemainder(dividingBy: 128)
      let low = Int((qs[32 * h + r % 32] >> UInt8(2 * (r / 32))) & 3)
      let high = Int((hmask[e % 32] >> UInt8(e / 32)) & 1)
      let q = low - ((high ^ 1) << 2)
      let dl = d * Float(q3_kScale(scales, e / 16))
      y[e] = dl * Float(q)
    }
  }

  /// Sub-block `j`'s 6-bit scale and min in the 12-byte Q4_K/Q5_K packing.
  @inline(__always)
  static func scaleMin(_ s: UnsafePointer<UInt8>, _ j: Int) -> (UInt8, UInt8) {
    if j < 4 { return (s[j] & 63, s[j + 4] & 63) }
    return ((s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4), (s[j + 4] >> 4) | ((s[j] >> 6) << 4))
  }

  static func q4_k(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = BlockDecoding.half(b), dmin = BlockDecoding.half(b + 2)
    let scales = b + 4, qs = b + 16
    for j in 0..<8 {
      let (sc, m) = scaleMin(scales, j)
      let dj = d * Float(sc), mj = dmin * Float(m)
      let c = j / 2, shift = UInt8(4 * (j % 2))
      for l in 0..<32 {
        y[32 * j + l] = dj * Float((qs[32 * c + l] >> shift) & 0x0F) - mj
      }
    }
  }

  static func q5_k(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let d = BlockDecoding.half(b), dmin = BlockDecoding.half(b + 2)
    let scales = b + 4, qh = b + 16, qs = b + 48
    for j in 0..<8 {
      let (sc, m) = scaleMin(scales, j)
      let dj = d * Float(sc), mj = dmin * Float(m)
      let c = j / 2, shift = UInt8(4 * (j % 2))
      for l in 0..<32 {
        let q = ((qs[32 * c + l] >> shift) & 0x0F) | ((qh[l] >> UInt8(j)) & 1) << 4
        y[32 * j + l] = dj * Float(q) - mj
      }
    }
  }

  static func q6_k(_ b: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>) {
    let ql = b, qh = b + 128, scales = b + 192
    let d = BlockDecoding.half(b + 208)
    for e in 0..<256 {
      let (h, r) = e.quotientAndRemainder(dividingBy: 128)
      let low = (ql[64 * h + r % 64] >> UInt8(4 * (r / 64))) & 0x0F
      let high = (qh[32 * h + r % 32] >> UInt8(2 * (r / 32))) & 3
      let q = Int(low | high << 4) - 32
      let dl = d * Float(Int8(bitPattern: scales[e / 16]))
      y[e] = dl * Float(q)
    }
  }
}

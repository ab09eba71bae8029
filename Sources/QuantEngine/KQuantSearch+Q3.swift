/// Q3_K's search and packing on 16-lane vectors, bit-identical to the scalar
/// ``KQuantSearch/q3(count:nmax:x:levels:)`` and ``KQuantQuantize/finishQ3(_:_:_:)`` (tested equal).
typealias F16x = SIMD16<Float>
typealias I16x = SIMD16<Int32>

extension KQuantSearch {
  static let lanes16 = I16x(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
  static let laneBits16 = I16x(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)

  /// ggml `nearest_int` per lane, wrap-around included: the low mantissa bits of `v + 1.5·2²³`.
  @inline(__always)
  static func nearestInts(_ v: F16x) -> I16x {
    (unsafeBitCast(v + F16x(repeating: roundingMagic), to: I16x.self) & I16x(repeating: 0x007F_FFFF))
      &- I16x(repeating: 0x0040_0000)
  }

  @inline(__always)
  static func clampLanes(_ v: I16x, _ lo: I16x, _ hi: I16x) -> I16x {
    v.replacing(with: lo, where: v .< lo).replacing(with: hi, where: v .> hi)
  }

  /// Small integer lanes (|l| < 2²²) as floats, through the magic number (exact).
  @inline(__always)
  static func floats(_ l: I16x) -> F16x {
    unsafeBitCast(l &+ I16x(repeating: roundingMagicBits), to: F16x.self) - F16x(repeating: roundingMagic)
  }

  /// Set lanes of a mask as bits (lane i → bit i).
  @inline(__always)
  static func bitmask(_ m: SIMDMask<I16x>) -> Int {
    let picked = I16x().replacing(with: laneBits16, where: m)
    let a = picked.lowHalf | picked.highHalf, b = a.lowHalf | a.highHalf
    return Int(b[0] | b[1] | b[2] | b[3])
  }

  /// ``q3(count:nmax:x:levels:)`` for 16 values. The coordinate-descent pass visits elements in
  /// order and its sums change only when a candidate is accepted, so every element's candidate
  /// is computed from the current sums at once; the first element proposing a change is checked
  /// in scalar code, and the lanes after it are recomputed only if it was accepted.
  static func q3Vector16(nmax: Int, x: UnsafePointer<Float>, levels: UnsafeMutablePointer<Int8>) -> Float {
    let xs = UnsafeRawPointer(x).loadUnaligned(as: F16x.self)
    let magnitudes = unsafeBitCast(unsafeBitCast(xs, to: I16x.self) & I16x(repeating: 0x7FFF_FFFF), to: F16x.self)
    let top8 = magnitudes.lowHalf.replacing(with: magnitudes.highHalf, where: magnitudes.highHalf .> magnitudes.lowHalf)
    let top = top8.lowHalf.replacing(with: top8.highHalf, where: top8.highHalf .> top8.lowHalf)
    let amax = max(max(top[0], top[1]), max(top[2], top[3]))
    if amax < groupMaxEps {
      UnsafeMutableRawPointer(levels).storeBytes(of: SIMD16<Int8>(), as: SIMD16<Int8>.self)
      return 0
    }
    // The first element reaching the largest magnitude gives the signed maximum.
    let maximum = x[bitmask(magnitudes .== F16x(repeating: amax)).trailingZeroBitCount]
    let lo = I16x(repeating: Int32(-nmax)), hi = I16x(repeating: Int32(nmax - 1))
    var l = clampLanes(nearestInts(F16x(repeating: -Float(nmax) / maximum) * xs), lo, hi)
    var lf = floats(l)
    let w = xs * xs, wx = w * xs
    let productsLX = wx * lf, productsL2 = w * lf * lf
    var sumLX: Float = 0, sumL2: Float = 0
    for i in 0..<16 {
      sumLX += productsLX[i]
      sumL2 += productsL2[i]
    }
    for _ in 0..<5 {
      var changed = 0, start = 0
      while start < 16 {
        let slx = F16x(repeating: sumLX) - wx * lf
        let sl2 = F16x(repeating: sumL2) - w * lf * lf
        let proposed = clampLanes(nearestInts(xs * sl2 / slx), lo, hi)
        var pending = bitmask((slx .> F16x()) .& (proposed .!= l) .& (lanes16 .>= I16x(repeating: Int32(start))))
        start = 16
        while pending != 0 {
          let i = pending.trailingZeroBitCount
          pending &= pending - 1
          let nf = Float(proposed[i])
          let s = slx[i] + wx[i] * nf, s2 = sl2[i] + w[i] * nf * nf
          if s2 > 0 && s * s * sumL2 > sumLX * sumLX * s2 {
            l[i] = proposed[i]; lf[i] = nf
            sumLX = s; sumL2 = s2
            changed += 1
            start = i + 1  // the sums moved: recompute the later lanes
            break
          }
        }
      }
      if changed == 0 { break }
    }
    let stored = SIMD16<Int8>(truncatingIfNeeded: l &+ I16x(repeating: Int32(nmax)))
    UnsafeMutableRawPointer(levels).storeBytes(of: stored, as: SIMD16<Int8>.self)
    return sumL2 > 0 ? sumLX / sumL2 : 0
  }
}

extension KQuantQuantize {
  /// ``finishQ3(_:_:_:)`` with vector requantization and bit packing. `s.signedLevels` holds the
  /// search's levels (0…7), kept for sub-blocks whose stored scale is zero.
  static func finishQ3Vector(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch) {
    let scalesOut = y + 96
    let levels = UnsafeMutableRawPointer(s.signedLevels)
    let d = half(y + 108)
    let lo = I16x(repeating: -4), hi = I16x(repeating: 3), offset = I16x(repeating: 4)
    for j in 0..<16 {
      let dl = d * Float(KQuantDecoding.q3_kScale(UnsafePointer(scalesOut), j))
      if dl == 0 { continue }
      let xs = UnsafeRawPointer(x + 16 * j).loadUnaligned(as: F16x.self)
      let l = KQuantSearch.clampLanes(KQuantSearch.nearestInts(xs / F16x(repeating: dl)), lo, hi) &+ offset
      levels.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: l), toByteOffset: 16 * j, as: SIMD16<UInt8>.self)
    }
    // Element 32k + l: bit 2 goes to bit k of hmask[l], bits 0–1 to qs[32(k/4) + l] at bits 2(k%4).
    let one = SIMD16<UInt8>(repeating: 1), two = SIMD16<UInt8>(repeating: 2), three = SIMD16<UInt8>(repeating: 3)
    for half in 0..<2 {
      var mask = SIMD16<UInt8>()
      var packed = (SIMD16<UInt8>(), SIMD16<UInt8>())
      for k in 0..<8 {
        let g = levels.loadUnaligned(fromByteOffset: 32 * k + 16 * half, as: SIMD16<UInt8>.self)
        mask |= ((g &>> two) & one) &<< SIMD16(repeating: UInt8(k))
        let low = (g & three) &<< SIMD16(repeating: UInt8(2 * (k % 4)))
        if k < 4 { packed.0 |= low } else { packed.1 |= low }
      }
      let out = UnsafeMutableRawPointer(y)
      out.storeBytes(of: mask, toByteOffset: 16 * half, as: SIMD16<UInt8>.self)
      out.storeBytes(of: packed.0, toByteOffset: 32 + 16 * half, as: SIMD16<UInt8>.self)
      out.storeBytes(of: packed.1, toByteOffset: 64 + 16 * half, as: SIMD16<UInt8>.self)
    }
  }
}

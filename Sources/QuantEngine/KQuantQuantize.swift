import TensorCore

/// K-quant quantizers: ggml's `quantize_row_qX_K_ref` (what llama-quantize does without an
/// importance matrix), one super-block of 256 values at a time.
enum KQuantQuantize {
  /// Per-call scratch: levels for 256 values (unsigned and signed views), the search buffers, and
  /// for the importance-weighted paths the per-sub-block weight sums and scale levels.
  struct Scratch {
    let levels: UnsafeMutablePointer<UInt8>
    let signedLevels: UnsafeMutablePointer<Int8>
    let weights: UnsafeMutablePointer<Float>
    let scales: UnsafeMutablePointer<Float>
    let mins: UnsafeMutablePointer<Float>
    let weightSums: UnsafeMutablePointer<Float>
    /// 16 scale levels then 16 min levels (unsigned); `signedScaleLevels` views the same bytes.
    let scaleLevels: UnsafeMutablePointer<UInt8>
    let signedScaleLevels: UnsafeMutablePointer<Int8>

    /// Runs `body` with scratch space on the stack.
    static func with(_ body: (Scratch) -> Void) {
      withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256 * 2 + 32) { bytes in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 16 + 16 + 16) { floats in
          guard let b = bytes.baseAddress, let f = floats.baseAddress else { return }
          let raw = UnsafeMutableRawPointer(b + 256), rawLevels = UnsafeMutableRawPointer(b + 512)
          body(Scratch(
            levels: b, signedLevels: raw.bindMemory(to: Int8.self, capacity: 256),
            weights: f, scales: f + 32, mins: f + 48, weightSums: f + 64,
            scaleLevels: b + 512, signedScaleLevels: rawLevels.bindMemory(to: Int8.self, capacity: 32)))
        }
      }
    }
  }

  static func quantize(_ type: DType, _ x: UnsafePointer<Float>, blocks: Int, into out: UnsafeMutablePointer<UInt8>) {
    Scratch.with { scratch in
      for index in 0..<blocks {
        let src = x + index * 256, dst = out + index * type.bytesPerBlock
        for k in 0..<type.bytesPerBlock { dst[k] = 0 }
        switch type {
        case .q2_k: q2_k(src, dst, scratch)
        case .q3_k: q3_k(src, dst, scratch)
        case .q4_k: q45_k(src, dst, scratch, nmax: 15)
        case .q5_k: q45_k(src, dst, scratch, nmax: 31)
        case .q6_k: q6_k(src, dst, scratch)
        default: break
        }
      }
    }
  }

  @inline(__always)
  static func half(_ p: UnsafeMutablePointer<UInt8>) -> Float { BlockDecoding.half(UnsafePointer(p)) }

  /// Pack 2-bit levels: byte 32h+l holds elements 128h + 32s + l at bits 2s.
  static func pack2(_ levels: UnsafeMutablePointer<UInt8>, into qs: UnsafeMutablePointer<UInt8>) {
    for j in stride(from: 0, to: 256, by: 128) {
      for l in 0..<32 {
        qs[j / 4 + l] = levels[j + l] | levels[j + l + 32] << 2 | levels[j + l + 64] << 4 | levels[j + l + 96] << 6
      }
    }
  }

  static func q2_k(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch) {
    let scalesOut = y
    var maxScale: Float = 0, maxMin: Float = 0
    for j in 0..<16 {
      for l in 0..<16 { s.weights[l] = abs(x[16 * j + l]) }
      let (scale, m) = KQuantSearch.scaleMinVector(
        count: 16, nmax: 3, x: x + 16 * j, weights: s.weights, levels: s.levels + 16 * j,
        rmin: -0.5, rdelta: 0.1, steps: 15, useMAD: true)
      s.scales[j] = scale; s.mins[j] = m
      if scale > maxScale { maxScale = scale }
      if m > maxMin { maxMin = m }
    }
    if maxScale > 0 {
      let iscale = 15 / maxScale
      for j in 0..<16 { scalesOut[j] = UInt8(truncatingIfNeeded: KQuantSearch.nearestInt(iscale * s.scales[j])) }
      GGMLLegacyQuantize.storeHalf(maxScale / 15, y + 80)
    } else {
      GGMLLegacyQuantize.storeHalf(0, y + 80)
    }
    if maxMin > 0 {
      let iscale = 15 / maxMin
      for j in 0..<16 { scalesOut[j] |= UInt8(truncatingIfNeeded: KQuantSearch.nearestInt(iscale * s.mins[j]) << 4) }
      GGMLLegacyQuantize.storeHalf(maxMin / 15, y + 82)
    } else {
      GGMLLegacyQuantize.storeHalf(0, y + 82)
    }
    finishQ2(x, y, s)
  }

  /// Q2_K's last steps once scales, mins and the two super-scales are stored: requantize each
  /// sub-block with its stored scale (sub-blocks with a zero scale keep the search's levels) and pack.
  static func finishQ2(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch) {
    let scalesOut = y, qs = y + 16
    let d = half(y + 80), dmin = half(y + 82)
    for j in 0..<16 {
      let dl = d * Float(scalesOut[j] & 0x0F)
      if dl == 0 { continue }
      let ml = dmin * Float(scalesOut[j] >> 4)
      for i in 0..<16 {
        s.levels[16 * j + i] = UInt8(KQuantSearch.clamp(KQuantSearch.nearestInt((x[16 * j + i] + ml) / dl), 0, 3))
      }
    }
    pack2(s.levels, into: qs)
  }

  /// Q3_K; `reference` runs the scalar search and packing the vector forms are tested against.
  static func q3_k(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch, reference: Bool = false) {
    let scalesOut = y + 96
    let levels = s.signedLevels
    var maxScale: Float = 0, amax: Float = 0
    for j in 0..<16 {
      s.scales[j] = reference
        ? KQuantSearch.q3(count: 16, nmax: 4, x: x + 16 * j, levels: levels + 16 * j)
        : KQuantSearch.q3Vector16(nmax: 4, x: x + 16 * j, levels: levels + 16 * j)
      let scale = abs(s.scales[j])
      if scale > amax { amax = scale; maxScale = s.scales[j] }
    }
    if maxScale != 0 {
      let iscale = -32 / maxScale
      for j in 0..<16 {
        let raw = Int(Int8(truncatingIfNeeded: KQuantSearch.nearestInt(iscale * s.scales[j])))
        let l = UInt8(KQuantSearch.clamp(raw, -32, 31) + 32)
        if j < 8 { scalesOut[j] = l & 0x0F } else { scalesOut[j - 8] |= (l & 0x0F) << 4 }
        scalesOut[j % 4 + 8] |= (l >> 4) << UInt8(2 * (j / 4))
      }
      GGMLLegacyQuantize.storeHalf(1 / iscale, y + 108)
    } else {
      GGMLLegacyQuantize.storeHalf(0, y + 108)
    }
    if reference { finishQ3(x, y, s) } else { finishQ3Vector(x, y, s) }
  }

  /// Q3_K's last steps once the 6-bit scales and d are stored: requantize, split off the high
  /// bits, pack.
  static func finishQ3(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch) {
    let hmask = y, qs = y + 32, scalesOut = y + 96
    let levels = s.signedLevels
    let d = half(y + 108)
    for j in 0..<16 {
      let dl = d * Float(KQuantDecoding.q3_kScale(UnsafePointer(scalesOut), j))
      if dl == 0 { continue }
      for i in 0..<16 {
        levels[16 * j + i] = Int8(KQuantSearch.clamp(KQuantSearch.nearestInt(x[16 * j + i] / dl), -4, 3) + 4)
      }
    }
    // High bit of element j goes to bit j/32 of hmask[j % 32].
    for j in 0..<256 where levels[j] > 3 {
      hmask[j % 32] |= UInt8(1) << UInt8(j / 32)
      levels[j] -= 4
    }
    for j in 0..<256 { s.levels[j] = UInt8(bitPattern: levels[j]) }
    pack2(s.levels, into: qs)
  }

  /// Q4_K (nmax 15: rmin −1, 20 steps) and Q5_K (nmax 31: rmin −0.5, 15 steps).
  static func q45_k(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch, nmax: Int) {
    let scalesOut = y + 4
    var maxScale: Float = 0, maxMin: Float = 0
    for j in 0..<8 {
      var sumX2: Float = 0
      for l in 0..<32 { sumX2 += x[32 * j + l] * x[32 * j + l] }
      let average = (sumX2 / 32).squareRoot()
      for l in 0..<32 { s.weights[l] = average + abs(x[32 * j + l]) }
      let (scale, m) = KQuantSearch.scaleMinVector(
        count: 32, nmax: nmax, x: x + 32 * j, weights: s.weights, levels: s.levels + 32 * j,
        rmin: nmax == 15 ? -1 : -0.5, rdelta: 0.1, steps: nmax == 15 ? 20 : 15, useMAD: false)
      s.scales[j] = scale; s.mins[j] = m
      if scale > maxScale { maxScale = scale }
      if m > maxMin { maxMin = m }
    }
    let invScale: Float = maxScale > 0 ? 63 / maxScale : 0
    let invMin: Float = maxMin > 0 ? 63 / maxMin : 0
    for j in 0..<8 {
      let ls = min(63, UInt8(truncatingIfNeeded: KQuantSearch.nearestInt(invScale * s.scales[j])))
      let lm = min(63, UInt8(truncatingIfNeeded: KQuantSearch.nearestInt(invMin * s.mins[j])))
      if j < 4 {
        scalesOut[j] = ls
        scalesOut[j + 4] = lm
      } else {
        scalesOut[j + 4] = (ls & 0x0F) | (lm & 0x0F) << 4
        scalesOut[j - 4] |= (ls >> 4) << 6
        scalesOut[j] |= (lm >> 4) << 6
      }
    }
    GGMLLegacyQuantize.storeHalf(maxScale / 63, y)
    GGMLLegacyQuantize.storeHalf(maxMin / 63, y + 2)
    finishQ45(x, y, s, nmax: nmax)
  }

  /// Q4_K/Q5_K's last steps once scales, mins, d and dmin are stored: requantize and pack.
  static func finishQ45(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch, nmax: Int) {
    let scalesOut = y + 4
    let d = half(y), dmin = half(y + 2)
    for j in 0..<8 {
      let (sc, m) = KQuantDecoding.scaleMin(UnsafePointer(scalesOut), j)
      let dl = d * Float(sc)
      if dl == 0 { continue }
      let dm = dmin * Float(m)
      for i in 0..<32 {
        s.levels[32 * j + i] = UInt8(KQuantSearch.clamp(KQuantSearch.nearestInt((x[32 * j + i] + dm) / dl), 0, nmax))
      }
    }
    if nmax == 15 {
      let qs = y + 16
      for c in 0..<4 {
        for l in 0..<32 { qs[32 * c + l] = s.levels[64 * c + l] | s.levels[64 * c + l + 32] << 4 }
      }
    } else {
      let qh = y + 16, qs = y + 48
      for c in 0..<4 {
        for l in 0..<32 {
          var low = s.levels[64 * c + l], high = s.levels[64 * c + l + 32]
          if low > 15 { low -= 16; qh[l] |= UInt8(1) << UInt8(2 * c) }
          if high > 15 { high -= 16; qh[l] |= UInt8(2) << UInt8(2 * c) }
          qs[32 * c + l] = low | high << 4
        }
      }
    }
  }

  /// Q6_K; with `importance` the sub-block searches weigh by it directly (ggml passes the raw
  /// imatrix slice here, not the sigma-adjusted weights the other K-quants use).
  static func q6_k(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch, importance: UnsafePointer<Float>? = nil) {
    let ql = y, qh = y + 128, scalesOut = y + 192
    let levels = s.signedLevels
    var maxScale: Float = 0, maxAbsScale: Float = 0
    for j in 0..<16 {
      let scale = importance.map {
        KQuantSearch.qxWeighted(count: 16, nmax: 32, x: x + 16 * j, weights: $0 + 16 * j, levels: levels + 16 * j)
      } ?? KQuantSearch.qxVector(count: 16, nmax: 32, x: x + 16 * j, levels: levels + 16 * j)
      s.scales[j] = scale
      if abs(scale) > maxAbsScale { maxAbsScale = abs(scale); maxScale = scale }
    }
    if maxAbsScale < KQuantSearch.groupMaxEps { return }  // the block stays all zero
    let iscale = -128 / maxScale
    GGMLLegacyQuantize.storeHalf(1 / iscale, y + 208)
    for j in 0..<16 {
      scalesOut[j] = UInt8(truncatingIfNeeded: min(127, KQuantSearch.nearestInt(iscale * s.scales[j])))
    }
    let d = half(y + 208)
    for j in 0..<16 {
      let dl = d * Float(Int8(bitPattern: scalesOut[j]))
      if dl == 0 { continue }
      for i in 0..<16 {
        levels[16 * j + i] = Int8(KQuantSearch.clamp(KQuantSearch.nearestInt(x[16 * j + i] / dl), -32, 31) + 32)
      }
    }
    for h in 0..<2 {
      let base = 128 * h
      for l in 0..<32 {
        let q1 = UInt8(bitPattern: levels[base + l]), q2 = UInt8(bitPattern: levels[base + l + 32])
        let q3 = UInt8(bitPattern: levels[base + l + 64]), q4 = UInt8(bitPattern: levels[base + l + 96])
        ql[64 * h + l] = (q1 & 0x0F) | (q3 & 0x0F) << 4
        ql[64 * h + l + 32] = (q2 & 0x0F) | (q4 & 0x0F) << 4
        qh[32 * h + l] = (q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6
      }
    }
  }
}

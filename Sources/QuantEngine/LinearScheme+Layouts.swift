/// Per-channel and per-group drivers.
extension LinearScheme {
  static func perChannel(
    _ x: UnsafePointer<Float>, _ split: ChannelSplit, _ range: LinearKernel.Range,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?
  ) throws(QuantError) -> LinearOutcome {
    let (outer, channels, inner) = (split.outer, split.channels, split.inner)
    let total = outer * channels * inner
    var outcome = LinearOutcome(scales: [Float](repeating: 0, count: channels))
    var e2 = [Double](repeating: 0, count: channels)
    if inner < 8 && outer > 1 {
      try interleavedChannels(x, split, range, q: q, xhat: xhat, outcome: &outcome, e2: &e2)
    } else if outer == 1 {
      // Each channel is one contiguous span: find its scale and quantize it while it is in cache.
      for c in 0..<channels {
        let base = c * inner
        let amax = try checkedAbsMax(x + base, inner, whole: x, wholeCount: total)
        let scale = amax / range.qmax
        outcome.scales[c] = scale
        e2[c] = LinearKernel.symmetric(
          x + base, count: inner, amax: amax, scale: scale, qmax: range.qmax, q: q.map { $0 + base },
          xhat: xhat.map { $0 + base }, sums: &outcome.sums)
      }
    } else {
      var amax = [Float](repeating: 0, count: channels)
      for o in 0..<outer {
        for c in 0..<channels {
          let m = try checkedAbsMax(x + (o * channels + c) * inner, inner, whole: x, wholeCount: total)
          if m > amax[c] { amax[c] = m }
        }
      }
      for c in 0..<channels { outcome.scales[c] = amax[c] / range.qmax }
      for o in 0..<outer {
        for c in 0..<channels {
          let base = (o * channels + c) * inner
          e2[c] += LinearKernel.symmetric(
            x + base, count: inner, amax: amax[c], scale: outcome.scales[c], qmax: range.qmax, q: q.map { $0 + base },
            xhat: xhat.map { $0 + base }, sums: &outcome.sums)
        }
      }
    }
    outcome.rmseOverScale = meanRMSEOverScale(e2: e2, scales: outcome.scales, perGroupCount: outer * inner)
    return outcome
  }

  /// Channels interleaved with a short inner stride (e.g. a channel-last axis): treat each row of
  /// `channels × inner` values with a per-position scale vector.
  static func interleavedChannels(
    _ x: UnsafePointer<Float>, _ split: ChannelSplit, _ range: LinearKernel.Range,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?,
    outcome: inout LinearOutcome, e2: inout [Double]
  ) throws(QuantError) {
    let (outer, channels, inner) = (split.outer, split.channels, split.inner)
    let rowLength = channels * inner
    let total = outer * rowLength
    var positionMax = [Float](repeating: 0, count: rowLength)
    var bad = false
    positionMax.withUnsafeMutableBufferPointer { m in
      guard let mp = m.baseAddress else { return }
      for o in 0..<outer {
        let row = x + o * rowLength
        var i = 0
        while i + 8 <= rowLength {
          let bits = magnitudeBits(loadF8(row, i))
          if any(bits .>= I8x8(repeating: 0x7F80_0000)) { bad = true }
          let a = unsafeBitCast(bits, to: F8.self)
          var current = loadF8(UnsafePointer(mp), i)
          current.replace(with: a, where: a .> current)
          storeF8(current, mp, i)
          i += 8
        }
        while i < rowLength {
          let a = abs(row[i])
          if !a.isFinite { bad = true }
          if a > mp[i] { mp[i] = a }
          i += 1
        }
      }
    }
    if bad { throw nonFiniteError(x, total) }
    for c in 0..<channels {
      var m: Float = 0
      for k in 0..<inner { m = max(m, positionMax[c * inner + k]) }
      outcome.scales[c] = m / range.qmax
    }
    var scales = [Float](repeating: 0, count: rowLength)
    var inverses = [Float](repeating: 0, count: rowLength)
    for p in 0..<rowLength {
      scales[p] = outcome.scales[p / inner]
      inverses[p] = LinearReference.inverse(of: scales[p])
    }
    var positionE2 = [Float](repeating: 0, count: rowLength)
    var positionTotal = [Double](repeating: 0, count: rowLength)
    scales.withUnsafeBufferPointer { s in
      inverses.withUnsafeBufferPointer { d in
        positionE2.withUnsafeMutableBufferPointer { pe in
          guard let sp = s.baseAddress, let dp = d.baseAddress, let pp = pe.baseAddress else { return }
          for o in 0..<outer {
            let base = o * rowLength
            LinearKernel.positions(
              x + base, count: rowLength, scales: sp, inverses: dp, range: range, q: q.map { $0 + base },
              xhat: xhat.map { $0 + base }, positionE2: pp, sums: &outcome.sums)
            // Fold the Float per-position sums into Double before they lose precision.
            if o % 256 == 255 || o == outer - 1 {
              for p in 0..<rowLength { positionTotal[p] += Double(pp[p]); pp[p] = 0 }
            }
          }
        }
      }
    }
    for p in 0..<rowLength { e2[p / inner] += positionTotal[p] }
  }

  static func perGroup(
    _ x: UnsafePointer<Float>, _ layout: TensorLayout, _ size: Int, _ range: LinearKernel.Range,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?
  ) throws(QuantError) -> LinearOutcome {
    let groups = layout.groupsPerRow(size: size)
    var outcome = LinearOutcome(scales: [Float](repeating: 0, count: layout.rows * groups))
    var ratioTotal = 0.0, used = 0
    for row in 0..<layout.rows {
      for g in 0..<groups {
        let base = row * layout.rowLength + g * size
        let n = min(size, layout.rowLength - g * size)
        let amax = try checkedAbsMax(x + base, n, whole: x, wholeCount: layout.count)
        let scale = amax / range.qmax
        outcome.scales[row * groups + g] = scale
        let e2 = LinearKernel.symmetric(
          x + base, count: n, amax: amax, scale: scale, qmax: range.qmax, q: q.map { $0 + base },
          xhat: xhat.map { $0 + base }, sums: &outcome.sums)
        if scale != 0 {
          ratioTotal += (e2 / Double(n)).squareRoot() / Double(scale)
          used += 1
        }
      }
    }
    outcome.rmseOverScale = used == 0 ? 0 : ratioTotal / Double(used)
    return outcome
  }
}

/// Vectorised loops behind ``Metrics``.
enum StatsKernel {
  struct Summary {
    var min: Float = .infinity
    var max: Float = -.infinity
    var finite = 0
    var mean = 0.0
    /// Σ(x − mean)² over finite values.
    var m2 = 0.0
    var zeros = 0
    var nonFinite = 0

    /// Chan's pairwise update: folds a chunk's count, mean and M2 into the running totals.
    mutating func fold(count: Int, mean chunkMean: Double, m2 chunkM2: Double) {
      guard count > 0 else { return }
      let total = finite + count
      let delta = chunkMean - mean
      mean += delta * Double(count) / Double(total)
      m2 += chunkM2 + delta * delta * Double(finite) * Double(count) / Double(total)
      finite = total
    }
  }

  /// One pass over memory: each 1024-value chunk is summed, then (still in L1) its squared
  /// deviations from its own mean are summed; chunks combine in Double.
  static func summarize(_ x: UnsafePointer<Float>, _ n: Int) -> Summary {
    var result = Summary()
    var lo = F8(repeating: .infinity), hi = F8(repeating: -.infinity)
    let zero = F8()
    var start = 0
    while start < n {
      let end = Swift.min(n, start + CompareKernel.chunk)
      var s = F8(), zeros = I8x8(), worst = I8x8()
      var chunkLo = lo, chunkHi = hi
      var i = start
      while i + 8 <= end {
        let v = loadF8(x, i)
        let m = magnitudeBits(v)
        worst.replace(with: m, where: m .> worst)
        zeros.replace(with: zeros &+ 1, where: v .== zero)
        chunkLo.replace(with: v, where: v .< chunkLo)
        chunkHi.replace(with: v, where: v .> chunkHi)
        s += v
        i += 8
      }
      if horizontalMax(worst) >= 0x7F80_0000 || i < end {
        // Rare: a non-finite value (or a short tail) in this chunk. Redo it value by value.
        result = scalarChunk(x, start, end, into: result)
        start = end
        continue
      }
      lo = chunkLo; hi = chunkHi
      let count = end - start
      let exactMean = Double(s.sum()) / Double(count)
      let chunkMean = Float(exactMean)
      let cm = F8(repeating: chunkMean)
      var d2 = F8()
      i = start
      while i + 8 <= end {
        let d = loadF8(x, i) - cm
        d2 += d * d
        i += 8
      }
      // Deviations were taken from the Float-rounded chunk mean; correct M2 to the exact one.
      let offset = exactMean - Double(chunkMean)
      let chunkM2 = Swift.max(0, Double(d2.sum()) - Double(count) * offset * offset)
      result.zeros += Int(zeros.wrappedSum())
      result.fold(count: count, mean: exactMean, m2: chunkM2)
      start = end
    }
    result.min = Swift.min(result.min, horizontalMinF(lo))
    result.max = Swift.max(result.max, horizontalMaxF(hi))
    return result
  }

  /// The careful path for a chunk holding NaN/Inf or a ragged tail.
  static func scalarChunk(_ x: UnsafePointer<Float>, _ start: Int, _ end: Int, into summary: Summary) -> Summary {
    var result = summary
    var sum = 0.0, count = 0
    for i in start..<end where x[i].isFinite {
      sum += Double(x[i]); count += 1
    }
    let mean = count > 0 ? sum / Double(count) : 0
    var m2 = 0.0
    for i in start..<end {
      let v = x[i]
      guard v.isFinite else { result.nonFinite += 1; continue }
      if v == 0 { result.zeros += 1 }
      result.min = Swift.min(result.min, v); result.max = Swift.max(result.max, v)
      let d = Double(v) - mean
      m2 += d * d
    }
    result.fold(count: count, mean: mean, m2: m2)
    return result
  }

  /// Adds each finite value in [lo, hi] to its bin. Bin indices are computed eight at a time;
  /// values outside the range (and NaN) go to a spare slot that is dropped. Four interleaved
  /// count arrays avoid back-to-back increments of one counter.
  static func histogram(_ x: UnsafePointer<Float>, _ n: Int, lo: Float, hi: Float, bins: Int, into counts: UnsafeMutablePointer<Int>) {
    // For ranges wider than Float.greatestFiniteMagnitude (e.g. -3e38...3e38) hi - lo overflows;
    // halving both ends keeps the arithmetic finite and leaves ordinary ranges bit-identical.
    let half: Float = (hi - lo).isFinite ? 1 : 0.5
    let factor = Float(bins) / (hi * half - lo * half)
    let last = bins - 1
    let stride = bins + 1
    let binLimit = Float(bins)
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4 * stride) { scratch in
      guard let c = scratch.baseAddress else { return }
      c.initialize(repeating: 0, count: 4 * stride)
      let low = F8(repeating: lo), high = F8(repeating: hi), scale = F8(repeating: factor)
      let halves = F8(repeating: half), lowHalf = F8(repeating: lo * half), limit = F8(repeating: binLimit)
      let lastBin = I8x8(repeating: Int32(last)), spare = I8x8(repeating: Int32(bins))
      // Offsets into the four count arrays, two lanes each.
      let lanes = I8x8(0, Int32(stride), Int32(2 * stride), Int32(3 * stride), 0, Int32(stride), Int32(2 * stride), Int32(3 * stride))
      var i = 0
      var sinceFlush = 0
      while i + 8 <= n {
        let v = loadF8(x, i)
        let inside = (v .>= low) .& (v .<= high)
        var t = (v * halves - lowHalf) * scale
        // NaN (0 × ∞ when lo == hi after rounding, e.g. all values 1e30) and ∞ go to the last bin,
        // so no garbage index can reach the counts.
        t.replace(with: F8(repeating: Float(last)), where: .!(t .< limit))
        t.replace(with: F8(), where: .!inside)  // keeps the magic-number conversion in range
        var index = integerLanes(GGMLLegacyFast.floorNonNegative(t))
        index.replace(with: lastBin, where: index .> lastBin)
        index.replace(with: spare, where: .!inside)
        index &+= lanes
        for k in 0..<8 { c[Int(index[k])] &+= 1 }
        i += 8
        sinceFlush += 8
        // Int32 sub-counts are flushed long before they could overflow.
        if sinceFlush >= 1 << 28 { flush(c, bins, stride, counts); sinceFlush = 0 }
      }
      while i < n {
        let v = x[i]
        if v >= lo && v <= hi {
          let t = (v * half - lo * half) * factor
          c[t < binLimit ? Int(t) : last] &+= 1
        }
        i += 1
      }
      flush(c, bins, stride, counts)
    }
  }

  private static func flush(_ c: UnsafeMutablePointer<Int32>, _ bins: Int, _ stride: Int, _ counts: UnsafeMutablePointer<Int>) {
    for array in 0..<4 {
      for k in 0..<bins { counts[k] += Int(c[array * stride + k]) }
      for k in 0...bins { c[array * stride + k] = 0 }
    }
  }
}

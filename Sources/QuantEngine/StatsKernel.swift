/// Vectorised loops behind ``Metrics``.
enum StatsKernel {
  struct FirstPass {
    var min: Float = .infinity
    var max: Float = -.infinity
    var sum = 0.0
    var zeros = 0
    var nonFinite = 0
  }

  /// min, max, Σx over finite values; zero and non-finite counts.
  static func firstPass(_ x: UnsafePointer<Float>, _ n: Int) -> FirstPass {
    var result = FirstPass()
    var lo = F8(repeating: .infinity), hi = F8(repeating: -.infinity)
    var zeros = I8x8(), bad = I8x8()
    let zero = F8(), finiteLimit = I8x8(repeating: 0x7F80_0000)
    var start = 0
    while start < n {
      let end = Swift.min(n, start + CompareKernel.chunk)
      var s = F8()
      var i = start
      while i + 8 <= end {
        var v = loadF8(x, i)
        let nonFinite = magnitudeBits(v) .>= finiteLimit
        bad.replace(with: bad &+ 1, where: nonFinite)
        v.replace(with: zero, where: nonFinite)
        zeros.replace(with: zeros &+ 1, where: v .== zero)
        let finiteV = loadF8(x, i)
        var forMin = finiteV, forMax = finiteV
        forMin.replace(with: F8(repeating: .infinity), where: nonFinite)
        forMax.replace(with: F8(repeating: -.infinity), where: nonFinite)
        lo.replace(with: forMin, where: forMin .< lo)
        hi.replace(with: forMax, where: forMax .> hi)
        s += v
        i += 8
      }
      var total = Double(s.sum())
      while i < end {
        let v = x[i]
        if v.isFinite {
          total += Double(v)
          if v == 0 { result.zeros += 1 }
          result.min = Swift.min(result.min, v); result.max = Swift.max(result.max, v)
        } else {
          result.nonFinite += 1
        }
        i += 1
      }
      result.sum += total
      start = end
    }
    // Lanes replaced by zero for non-finite values were counted as zeros; take them back out.
    result.zeros += Int(zeros.wrappedSum()) - Int(bad.wrappedSum())
    result.nonFinite += Int(bad.wrappedSum())
    result.min = Swift.min(result.min, lo.min())
    result.max = Swift.max(result.max, hi.max())
    return result
  }

  /// Σ(x − mean)² over finite values, Float per chunk folded into Double.
  static func squaredDeviation(_ x: UnsafePointer<Float>, _ n: Int, mean: Float, skipNonFinite: Bool) -> Double {
    let m = F8(repeating: mean), zero = F8(), limit = I8x8(repeating: 0x7F80_0000)
    var total = 0.0
    var start = 0
    while start < n {
      let end = Swift.min(n, start + CompareKernel.chunk)
      var s = F8()
      var i = start
      while i + 8 <= end {
        let v = loadF8(x, i)
        var d = v - m
        if skipNonFinite { d.replace(with: zero, where: magnitudeBits(v) .>= limit) }
        s += d * d
        i += 8
      }
      total += Double(s.sum())
      while i < end {
        if x[i].isFinite { let d = x[i] - mean; total += Double(d * d) }
        i += 1
      }
      start = end
    }
    return total
  }

  /// Adds each finite value in [lo, hi] to its bin; four interleaved count arrays avoid
  /// back-to-back increments of the same counter.
  static func histogram(_ x: UnsafePointer<Float>, _ n: Int, lo: Float, hi: Float, bins: Int, into counts: UnsafeMutablePointer<Int>) {
    // For ranges wider than Float.greatestFiniteMagnitude (e.g. -3e38...3e38) hi - lo overflows;
    // halving both ends keeps the arithmetic finite without changing ordinary ranges.
    let scale: Float = (hi - lo).isFinite ? 1 : 0.5
    let factor = Float(bins) / (hi * scale - lo * scale)
    let last = bins - 1
    let binLimit = Float(bins)
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4 * bins) { scratch in
      guard let c = scratch.baseAddress else { return }
      c.initialize(repeating: 0, count: 4 * bins)
      @inline(__always) func bin(_ v: Float) -> Int {
        // NaN and out-of-range values fail both comparisons and land in no bin.
        guard v >= lo, v <= hi else { return -1 }
        let t = (v * scale - lo * scale) * factor
        // NaN (0 × ∞ when lo == hi after rounding, e.g. all values 1e30) or ∞ must not reach Int().
        guard t < binLimit else { return last }
        return Int(t)
      }
      var i = 0
      while i + 4 <= n {
        let b0 = bin(x[i]), b1 = bin(x[i + 1]), b2 = bin(x[i + 2]), b3 = bin(x[i + 3])
        if b0 >= 0 { c[b0] &+= 1 }
        if b1 >= 0 { c[bins + b1] &+= 1 }
        if b2 >= 0 { c[2 * bins + b2] &+= 1 }
        if b3 >= 0 { c[3 * bins + b3] &+= 1 }
        i += 4
        // Int32 sub-counts are flushed before they could overflow.
        if i & 0x0FFF_FFFF == 0 { flush(c, bins, counts) }
      }
      while i < n {
        let b = bin(x[i])
        if b >= 0 { c[b] &+= 1 }
        i += 1
      }
      flush(c, bins, counts)
    }
  }

  private static func flush(_ c: UnsafeMutablePointer<Int32>, _ bins: Int, _ counts: UnsafeMutablePointer<Int>) {
    for k in 0..<(4 * bins) {
      counts[k % bins] += Int(c[k])
      c[k] = 0
    }
  }
}

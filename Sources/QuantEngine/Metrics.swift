/// Tensor statistics, histograms and original-vs-reconstruction comparison.
public enum Metrics {
  /// Count, finite min/max/mean/std (population; one pass, Float chunks folded into Double with
  /// Chan's update), zeros and non-finite values.
  public static func stats(_ values: UnsafeBufferPointer<Float>) -> TensorStats {
    guard let x = values.baseAddress, !values.isEmpty else {
      return TensorStats(count: 0, min: 0, max: 0, mean: 0, std: 0, zeros: 0, nonFinite: 0)
    }
    let summary = StatsKernel.summarize(x, values.count)
    guard summary.finite > 0 else {
      return TensorStats(count: values.count, min: 0, max: 0, mean: 0, std: 0, zeros: 0, nonFinite: summary.nonFinite)
    }
    return TensorStats(
      count: values.count, min: summary.min, max: summary.max, mean: summary.mean,
      std: (summary.m2 / Double(summary.finite)).squareRoot(), zeros: summary.zeros, nonFinite: summary.nonFinite)
  }

  /// Equal-width histogram of the finite values. `range` defaults to the finite [min, max]; a
  /// single-valued range widens to ±0.5 around the value (numpy's rule). `bins` is clamped to
  /// 1…1,048,576. Pass `range: stats.min...stats.max` when the stats are already known, to save
  /// a pass.
  public static func histogram(_ values: UnsafeBufferPointer<Float>, bins: Int, range: ClosedRange<Float>? = nil) -> Histogram {
    let binCount = min(max(1, bins), 1 << 20)
    var lo: Float, hi: Float
    if let range {
      lo = range.lowerBound; hi = range.upperBound
    } else {
      let s = stats(values)
      if s.count - s.nonFinite == 0 { return Histogram(lo: 0, hi: 0, counts: [Int](repeating: 0, count: binCount)) }
      lo = s.min; hi = s.max
    }
    if lo == hi { lo -= 0.5; hi += 0.5 }
    var counts = [Int](repeating: 0, count: binCount)
    guard let x = values.baseAddress, lo.isFinite, hi.isFinite else { return Histogram(lo: lo, hi: hi, counts: counts) }
    counts.withUnsafeMutableBufferPointer { c in
      guard let cp = c.baseAddress else { return }
      StatsKernel.histogram(x, values.count, lo: lo, hi: hi, bins: binCount, into: cp)
    }
    return Histogram(lo: lo, hi: hi, counts: counts)
  }

  /// SQNR (dB), MSE, max |error| and cosine between two equally long buffers (definitions in
  /// ``ErrorMetrics``). Extra elements of the longer buffer are ignored.
  public static func compare(
    original: UnsafeBufferPointer<Float>, reconstructed: UnsafeBufferPointer<Float>
  ) -> (sqnrDB: Double, mse: Double, maxAbsError: Double, cosine: Double) {
    var sums = ErrorSums()
    let n = min(original.count, reconstructed.count)
    if let x = original.baseAddress, let y = reconstructed.baseAddress, n > 0 {
      CompareKernel.accumulate(x, y, count: n, into: &sums)
    }
    return (sums.sqnrDB, sums.mse, Double(sums.maxAbsError), sums.cosine)
  }
}

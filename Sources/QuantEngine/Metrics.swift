/// Tensor statistics, histograms and original-vs-reconstruction comparison.
public enum Metrics {
  /// Count, finite min/max/mean/std (two passes, Double folding), zeros and non-finite values.
  public static func stats(_ values: UnsafeBufferPointer<Float>) -> TensorStats {
    guard let x = values.baseAddress, !values.isEmpty else {
      return TensorStats(count: 0, min: 0, max: 0, mean: 0, std: 0, zeros: 0, nonFinite: 0)
    }
    let n = values.count
    let first = StatsKernel.firstPass(x, n)
    let finite = n - first.nonFinite
    guard finite > 0 else {
      return TensorStats(count: n, min: 0, max: 0, mean: 0, std: 0, zeros: 0, nonFinite: first.nonFinite)
    }
    let mean = first.sum / Double(finite)
    let variance = StatsKernel.squaredDeviation(x, n, mean: Float(mean), skipNonFinite: first.nonFinite > 0) / Double(finite)
    // Float(mean) is not the exact mean; correct the second moment for the offset.
    let offset = mean - Double(Float(mean))
    return TensorStats(
      count: n, min: first.min, max: first.max, mean: mean, std: max(0, variance - offset * offset).squareRoot(),
      zeros: first.zeros, nonFinite: first.nonFinite)
  }

  /// Equal-width histogram of the finite values. `range` defaults to the finite [min, max]; a
  /// single-valued range widens to ±0.5 around the value (numpy's rule). `bins` below 1 means 1.
  public static func histogram(_ values: UnsafeBufferPointer<Float>, bins: Int, range: ClosedRange<Float>? = nil) -> Histogram {
    let binCount = max(1, bins)
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

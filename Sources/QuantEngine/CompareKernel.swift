/// Fused comparison of an original and a reconstruction: one pass, Float partial sums per chunk
/// folded into Double.
enum CompareKernel {
  static let chunk = 1024

  /// Adds the sums for `count` pairs to `sums` and returns this span's Σ(x−y)² (for rmse/scale).
  @discardableResult
  static func accumulate(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int, into sums: inout ErrorSums
  ) -> Double {
    var spanE2 = 0.0
    var maxErr = F8(repeating: 0)
    var start = 0
    while start < count {
      let end = min(count, start + chunk)
      var sx2 = F8(), se2 = F8(), sxy = F8(), sy2 = F8()
      var i = start
      while i + 8 <= end {
        let a = loadF8(x, i), b = loadF8(y, i)
        let e = a - b
        sx2 += a * a; se2 += e * e; sxy += a * b; sy2 += b * b
        let ae = absF8(e)
        maxErr.replace(with: ae, where: ae .> maxErr)
        i += 8
      }
      var tx2 = Double(sx2.sum()), te2 = Double(se2.sum())
      var txy = Double(sxy.sum()), ty2 = Double(sy2.sum())
      while i < end {
        let a = x[i], b = y[i], e = a - b
        tx2 += Double(a * a); te2 += Double(e * e); txy += Double(a * b); ty2 += Double(b * b)
        let ae = abs(e)
        if ae > sums.maxAbsError { sums.maxAbsError = ae }
        i += 1
      }
      sums.sumX2 += tx2; sums.sumE2 += te2; sums.sumXY += txy; sums.sumY2 += ty2
      spanE2 += te2
      start = end
    }
    let m = horizontalMaxF(maxErr)
    if m > sums.maxAbsError { sums.maxAbsError = m }
    sums.count += count
    return spanE2
  }
}

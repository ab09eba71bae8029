import Foundation

/// Importance-weighted error sums behind ``ErrorMetrics/weightedMSE`` and
/// ``ErrorMetrics/weightedSQNRdB``, in Double (rows summed in Float vectors first).
struct WeightedErrorSums: Sendable {
  var sumW = 0.0
  var sumWX2 = 0.0
  var sumWE2 = 0.0

  var mse: Double { sumW == 0 ? 0 : sumWE2 / sumW }

  /// Same edge rules as ``ErrorSums/sqnrDB``.
  var sqnrDB: Double {
    if sumWE2.isNaN || sumWX2.isNaN { return .nan }
    if sumWE2 == 0 { return .infinity }
    if sumWX2 == 0 { return -.infinity }
    return 10 * log10(sumWX2 / sumWE2)
  }

  /// Sums over every row of `x` against its reconstruction `y`, each row weighted by its slice of `importance`.
  static func measure(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, rows: Int, importance: UnsafePointer<Float>, layout: ImportanceLayout
  ) -> WeightedErrorSums {
    var sums = WeightedErrorSums()
    let n = layout.rowLength
    for row in 0..<rows {
      let xr = x + row * n, yr = y + row * n, w = importance + layout.offset(ofRow: row)
      var sw = F8(), swx2 = F8(), swe2 = F8()
      var i = 0
      while i + 8 <= n {
        let a = loadF8(xr, i), e = a - loadF8(yr, i), wv = loadF8(w, i)
        sw += wv; swx2 += wv * a * a; swe2 += wv * e * e
        i += 8
      }
      var tw = Double(sw.sum()), tx = Double(swx2.sum()), te = Double(swe2.sum())
      while i < n {
        let e = xr[i] - yr[i]
        tw += Double(w[i]); tx += Double(w[i] * xr[i] * xr[i]); te += Double(w[i] * e * e)
        i += 1
      }
      sums.sumW += tw; sums.sumWX2 += tx; sums.sumWE2 += te
    }
    return sums
  }
}

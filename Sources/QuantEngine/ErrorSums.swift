import Foundation

/// Running sums behind ``ErrorMetrics``, in Double; kernels add Float partial sums per chunk.
struct ErrorSums: Sendable {
  var sumX2 = 0.0
  var sumE2 = 0.0
  var sumXY = 0.0
  var sumY2 = 0.0
  var maxAbsError: Float = 0
  var clipped = 0
  var count = 0

  mutating func merge(_ other: ErrorSums) {
    sumX2 += other.sumX2; sumE2 += other.sumE2; sumXY += other.sumXY; sumY2 += other.sumY2
    if other.maxAbsError > maxAbsError || other.maxAbsError.isNaN { maxAbsError = other.maxAbsError }
    clipped += other.clipped; count += other.count
  }

  /// 10·log10(Σx²/Σe²): +inf when the error is 0 (also for an all-zero tensor), −inf when the
  /// signal is 0 but the error is not, NaN when either sum is NaN.
  var sqnrDB: Double {
    if sumE2.isNaN || sumX2.isNaN { return .nan }
    if sumE2 == 0 { return .infinity }
    if sumX2 == 0 { return -.infinity }
    return 10 * log10(sumX2 / sumE2)
  }

  /// Σx·x̂/(‖x‖‖x̂‖): 1 when both are all zero, 0 when exactly one is.
  var cosine: Double {
    if sumX2 == 0 && sumY2 == 0 { return 1 }
    if sumX2 == 0 || sumY2 == 0 { return 0 }
    return sumXY / (sumX2.squareRoot() * sumY2.squareRoot())
  }

  var mse: Double { count == 0 ? 0 : sumE2 / Double(count) }

  var clippedFraction: Double { count == 0 ? 0 : Double(clipped) / Double(count) }
}

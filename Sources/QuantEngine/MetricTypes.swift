/// Summary statistics of a tensor. `min`, `max`, `mean` and `std` cover finite values only
/// (0 when there are none); `std` is the population standard deviation.
public struct TensorStats: Sendable, Equatable, Codable {
  /// All elements, finite or not.
  public var count: Int
  public var min: Float
  public var max: Float
  public var mean: Double
  public var std: Double
  /// Elements equal to ±0.
  public var zeros: Int
  /// NaN and ±Inf elements.
  public var nonFinite: Int

  public init(count: Int, min: Float, max: Float, mean: Double, std: Double, zeros: Int, nonFinite: Int) {
    self.count = count; self.min = min; self.max = max; self.mean = mean; self.std = std
    self.zeros = zeros; self.nonFinite = nonFinite
  }
}

/// Counts of finite values in `counts.count` equal-width bins over `[lo, hi]`. A value equal to
/// `hi` goes in the last bin; values outside the range are not counted.
public struct Histogram: Sendable, Equatable {
  public var lo: Float
  public var hi: Float
  public var counts: [Int]

  public init(lo: Float, hi: Float, counts: [Int]) {
    self.lo = lo; self.hi = hi; self.counts = counts
  }
}

/// How far a scheme's reconstruction is from the original tensor.
///
/// - `sqnrDB` = 10·log10(Σx²/Σ(x−x̂)²) in Double: +inf when the error is 0 (including an all-zero
///   tensor), −inf when Σx² = 0 but the error is not, NaN only if a sum is NaN.
/// - `cosine` = Σx·x̂/(‖x‖‖x̂‖): 1 when both are all zero, 0 when exactly one is.
/// - `mse` = mean of (x−x̂)²; `maxAbsError` = max |x−x̂|.
/// - `rmseOverScale`: for one scale, √mse / scale; for per-channel, per-group and ggml blocks, the
///   mean over scale groups of √mse_g / scale_g, skipping zero scales (ggml legacy blocks use |d|,
///   K-quants the effective sub-block step). nil for float casts. ≈ 0.289 means uniform rounding
///   noise; much larger values point at clipping or a scale that is too coarse.
/// - `clippedFraction`: fraction of elements whose rounded level fell outside the integer range
///   before clamping (e.g. q4_0's positive side beyond 7.5·|d|; f16 values that overflow to inf).
///   The importance-weighted ggml quantizers search clamped levels, so they report 0.
/// - `weightedMSE` / `weightedSQNRdB`: only when an importance vector was given (nil otherwise):
///   Σᵢ wᵢ(x−x̂)² / Σᵢ wᵢ and 10·log10(Σ wᵢx² / Σ wᵢ(x−x̂)²), wᵢ the importance of element i's
///   column — the error as the layer's output sees it (llama.cpp's imatrix is the mean squared
///   activation per input column). Same edge rules as `mse` and `sqnrDB`.
public struct ErrorMetrics: Sendable, Equatable {
  public var storedBytes: Int
  public var sqnrDB: Double
  public var mse: Double
  public var maxAbsError: Double
  public var cosine: Double
  public var rmseOverScale: Double?
  public var clippedFraction: Double
  public var weightedMSE: Double?
  public var weightedSQNRdB: Double?

  public init(
    storedBytes: Int, sqnrDB: Double, mse: Double, maxAbsError: Double, cosine: Double,
    rmseOverScale: Double?, clippedFraction: Double, weightedMSE: Double? = nil, weightedSQNRdB: Double? = nil
  ) {
    self.storedBytes = storedBytes; self.sqnrDB = sqnrDB; self.mse = mse; self.maxAbsError = maxAbsError
    self.cosine = cosine; self.rmseOverScale = rmseOverScale; self.clippedFraction = clippedFraction
    self.weightedMSE = weightedMSE; self.weightedSQNRdB = weightedSQNRdB
  }

  init(sums: ErrorSums, storedBytes: Int, rmseOverScale: Double?) {
    self.init(
      storedBytes: storedBytes, sqnrDB: sums.sqnrDB, mse: sums.mse, maxAbsError: Double(sums.maxAbsError),
      cosine: sums.cosine, rmseOverScale: rmseOverScale, clippedFraction: sums.clippedFraction)
  }
}

import TensorCore

/// K-quant quantizers with an importance matrix: ggml's `quantize_row_qX_K_impl` with non-NULL
/// `quant_weights`, what llama-quantize runs given `--imatrix`. `importance` points at the 256
/// column weights of this super-block.
///
/// Per element the weight is importance·√(σ² + x²), σ² the super-block's mean square (doubled
/// for Q3_K…Q5_K); sub-blocks get the longer asymmetric search (rmin −0.9, step 0.05, 36 steps)
/// and the 4/6-bit sub-block scales are fitted under the summed weights (`make_qp_quants`).
extension KQuantQuantize {
  static func quantizeWeighted(
    _ type: DType, _ x: UnsafePointer<Float>, importance: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch
  ) {
    for k in 0..<type.bytesPerBlock { y[k] = 0 }
    switch type {
    case .q2_k: q2_kWeighted(x, y, s, importance)
    case .q3_k: q3_kWeighted(x, y, s, importance)
    case .q4_k: q45_kWeighted(x, y, s, importance, nmax: 15)
    case .q5_k: q45_kWeighted(x, y, s, importance, nmax: 31)
    case .q6_k: q6_k(x, y, s, importance: importance)
    default: break
    }
  }

  /// Σx² of the super-block, left to right.
  @inline(__always)
  static func sumOfSquares(_ x: UnsafePointer<Float>) -> Float {
    var sum: Float = 0
    for l in 0..<256 { sum += x[l] * x[l] }
    return sum
  }

  /// Fills `s.weights[0..<n]` with importance·√(σ² + x²) and returns their sum.
  @inline(__always)
  static func fillWeights(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>, n: Int, sigma2: Float, _ s: Scratch) -> Float {
    var sum: Float = 0
    for l in 0..<n {
      s.weights[l] = qw[l] * (sigma2 + x[l] * x[l]).squareRoot()
      sum += s.weights[l]
    }
    return sum
  }

  static func q2_kWeighted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch, _ qw: UnsafePointer<Float>) {
    let sigma2 = sumOfSquares(x) / 256
    for j in 0..<16 {
      s.weightSums[j] = fillWeights(x + 16 * j, qw + 16 * j, n: 16, sigma2: sigma2, s)
      let (scale, m) = KQuantSearch.scaleMinVector(
        count: 16, nmax: 3, x: x + 16 * j, weights: s.weights, levels: s.levels + 16 * j,
        rmin: -0.9, rdelta: 0.05, steps: 36, useMAD: false)
      s.scales[j] = scale; s.mins[j] = m
    }
    let ls = s.scaleLevels, lm = s.scaleLevels + 16
    let dm = KQuantSearch.qp(count: 16, nmax: 15, x: s.scales, levels: ls, weights: s.weightSums)
    let mm = KQuantSearch.qp(count: 16, nmax: 15, x: s.mins, levels: lm, weights: s.weightSums)
    GGMLLegacyQuantize.storeHalf(dm, y + 80)
    GGMLLegacyQuantize.storeHalf(mm, y + 82)
    for j in 0..<16 { y[j] = ls[j] | lm[j] << 4 }
    finishQ2(x, y, s)
  }

  static func q3_kWeighted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch, _ qw: UnsafePointer<Float>) {
    let scalesOut = y + 96
    let sigma2 = 2 * sumOfSquares(x) / 256
    for j in 0..<16 {
      s.weightSums[j] = fillWeights(x + 16 * j, qw + 16 * j, n: 16, sigma2: sigma2, s)
      s.scales[j] = KQuantSearch.qxWeighted(
        count: 16, nmax: 4, x: x + 16 * j, weights: s.weights, levels: s.signedLevels + 16 * j)
    }
    let ls = s.signedScaleLevels
    let dBlock = KQuantSearch.qxWeighted(count: 16, nmax: 32, x: s.scales, weights: s.weightSums, levels: ls)
    for j in 0..<16 {
      // Levels are 0…63: low nibble into bytes 0–7, top two bits into bytes 8–11.
      let l = UInt8(truncatingIfNeeded: ls[j])
      if j < 8 { scalesOut[j] = l & 0x0F } else { scalesOut[j - 8] |= (l & 0x0F) << 4 }
      scalesOut[j % 4 + 8] |= (l >> 4) << UInt8(2 * (j / 4))
    }
    GGMLLegacyQuantize.storeHalf(dBlock, y + 108)
    finishQ3(x, y, s)
  }

  static func q45_kWeighted(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt8>, _ s: Scratch, _ qw: UnsafePointer<Float>, nmax: Int
  ) {
    let scalesOut = y + 4
    let sigma2 = 2 * sumOfSquares(x) / 256
    for j in 0..<8 {
      s.weightSums[j] = fillWeights(x + 32 * j, qw + 32 * j, n: 32, sigma2: sigma2, s)
      let (scale, m) = KQuantSearch.scaleMinVector(
        count: 32, nmax: nmax, x: x + 32 * j, weights: s.weights, levels: s.levels + 32 * j,
        rmin: -0.9, rdelta: 0.05, steps: 36, useMAD: false)
      s.scales[j] = scale; s.mins[j] = m
    }
    let lsAll = s.scaleLevels, lmAll = s.scaleLevels + 16
    let dBlock = KQuantSearch.qp(count: 8, nmax: 63, x: s.scales, levels: lsAll, weights: s.weightSums)
    let mBlock = KQuantSearch.qp(count: 8, nmax: 63, x: s.mins, levels: lmAll, weights: s.weightSums)
    for j in 0..<8 {
      // Q5_K caps the levels at 63; Q4_K stores them as they come (only a wrapped negative exceeds it).
      let ls = nmax == 31 ? min(63, lsAll[j]) : lsAll[j]
      let lm = nmax == 31 ? min(63, lmAll[j]) : lmAll[j]
      if j < 4 {
        scalesOut[j] = ls
        scalesOut[j + 4] = lm
      } else {
        scalesOut[j + 4] = (ls & 0x0F) | (lm & 0x0F) << 4
        scalesOut[j - 4] |= (ls >> 4) << 6
        scalesOut[j] |= (lm >> 4) << 6
      }
    }
    GGMLLegacyQuantize.storeHalf(dBlock, y)
    GGMLLegacyQuantize.storeHalf(mBlock, y + 2)
    finishQ45(x, y, s, nmax: nmax)
  }
}

import TensorCore

/// Q4_0/Q4_1/Q5_0/Q5_1 with an importance matrix: ggml's `quantize_row_qX_Y_impl` with non-NULL
/// `quant_weights` (llama-quantize `--imatrix`). Unlike the plain rule these search the scale:
/// per element the weight is importance·√(σ² + x²), σ² the mean square of the whole ROW, then
/// `make_qx_quants` (symmetric types) or the 36-step asymmetric search (`_1` types).
/// Q8_0 ignores the importance matrix in ggml, and so do we.
enum GGMLLegacyWeighted {
  /// Quantizes one row of `rowLength` values (a multiple of 32) with `importance[0..<rowLength]`.
  static func quantizeRow(
    _ type: DType, _ x: UnsafePointer<Float>, rowLength: Int, importance: UnsafePointer<Float>,
    into out: UnsafeMutablePointer<UInt8>, _ s: KQuantQuantize.Scratch
  ) {
    var sumX2: Float = 0
    for j in 0..<rowLength { sumX2 += x[j] * x[j] }
    let sigma2 = sumX2 / Float(rowLength)
    let stride = type.bytesPerBlock
    for block in 0..<(rowLength / 32) {
      let xb = x + 32 * block, qw = importance + 32 * block, y = out + block * stride
      for j in 0..<32 { s.weights[j] = qw[j] * (sigma2 + xb[j] * xb[j]).squareRoot() }
      switch type {
      case .q4_0, .q5_0:
        let levels = s.signedLevels
        let d = KQuantSearch.qxWeighted(count: 32, nmax: type == .q4_0 ? 8 : 16, x: xb, weights: s.weights, levels: levels)
        GGMLLegacyQuantize.storeHalf(d, y)
        for j in 0..<32 { s.levels[j] = UInt8(truncatingIfNeeded: levels[j]) }
        GGMLLegacyQuantize.pack(s.levels, into: y + 2, fifthBit: type == .q5_0)
      case .q4_1, .q5_1:
        let (scale, negativeMin) = KQuantSearch.scaleMinVector(
          count: 32, nmax: type == .q4_1 ? 15 : 31, x: xb, weights: s.weights, levels: s.levels,
          rmin: -0.9, rdelta: 0.05, steps: 36, useMAD: false)
        GGMLLegacyQuantize.storeHalf(scale, y)
        GGMLLegacyQuantize.storeHalf(-negativeMin, y + 2)
        GGMLLegacyQuantize.pack(s.levels, into: y + 4, fifthBit: type == .q5_1)
      default:
        GGMLLegacyQuantize.quantize(type, xb, blocks: 1, into: y)
      }
    }
  }
}

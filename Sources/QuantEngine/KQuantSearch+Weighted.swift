/// The searches ggml runs when an importance matrix supplies the weights (`quant_weights`):
/// `make_qx_quants` with caller weights and `make_qp_quants`. Same rules as the rest of
/// ``KQuantSearch``: float32, one rounding per operation, C's evaluation order.
extension KQuantSearch {
  /// Symmetric search over 19 candidate scales with caller weights (`make_qx_quants`, rmse_type 1
  /// with `qw`). Levels are stored offset by nmax.
  static func qxWeighted(
    count n: Int, nmax: Int, x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, levels: UnsafeMutablePointer<Int8>
  ) -> Float {
    let (maximum, amax) = signedMax(x, n)
    if amax < groupMaxEps {
      for i in 0..<n { levels[i] = 0 }
      return 0
    }
    var iscale = -Float(nmax) / maximum
    var sumLX: Float = 0, sumL2: Float = 0
    for i in 0..<n {
      let l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1)
      levels[i] = Int8(l + nmax)
      let lf = Float(l)
      sumLX += w[i] * x[i] * lf
      sumL2 += w[i] * lf * lf
    }
    var scale: Float = sumL2 != 0 ? sumLX / sumL2 : 0
    var best = scale * sumLX
    for step in -9...9 where step != 0 {
      iscale = -(Float(nmax) + 0.1 * Float(step)) / maximum
      sumLX = 0; sumL2 = 0
      for i in 0..<n {
        let lf = Float(clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1))
        sumLX += w[i] * x[i] * lf
        sumL2 += w[i] * lf * lf
      }
      if sumL2 > 0 && sumLX * sumLX > best * sumL2 {
        for i in 0..<n {
          levels[i] = Int8(nmax + clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1))
        }
        scale = sumLX / sumL2
        best = scale * sumLX
      }
    }
    return scale
  }

  /// Non-negative values (sub-block scales or mins) to levels 0…nmax under weights
  /// (`make_qp_quants`): nine candidate scales, then coordinate descent. Levels are bytes exactly
  /// as C stores them, so a negative input wraps the way it does there.
  static func qp(
    count n: Int, nmax: Int, x: UnsafePointer<Float>, levels: UnsafeMutablePointer<UInt8>, weights w: UnsafePointer<Float>
  ) -> Float {
    var maximum: Float = 0
    for i in 0..<n { maximum = maximum > x[i] ? maximum : x[i] }
    if maximum < groupMaxEps {
      for i in 0..<n { levels[i] = 0 }
      return 0
    }
    var iscale = Float(nmax) / maximum
    for i in 0..<n { levels[i] = UInt8(truncatingIfNeeded: nearestInt(iscale * x[i])) }
    let scale0 = 1 / iscale
    var bestMSE: Float = 0
    for i in 0..<n {
      let diff = x[i] - scale0 * Float(levels[i])
      bestMSE += w[i] * diff * diff
    }
    for step in -4...4 where step != 0 {
      let candidate = (0.1 * Float(step) + Float(nmax)) / maximum
      let candidateScale = 1 / candidate
      var mse: Float = 0
      for i in 0..<n {
        let l = min(nmax, nearestInt(candidate * x[i]))
        let diff = x[i] - candidateScale * Float(l)
        mse += w[i] * diff * diff
      }
      if mse < bestMSE {
        bestMSE = mse
        iscale = candidate
      }
    }
    var sumLX: Float = 0, sumL2: Float = 0
    for i in 0..<n {
      let l = min(nmax, nearestInt(iscale * x[i]))
      levels[i] = UInt8(truncatingIfNeeded: l)
      let lf = Float(l)
      sumLX += w[i] * x[i] * lf
      sumL2 += w[i] * lf * lf
    }
    for _ in 0..<5 {
      var changed = 0
      for i in 0..<n {
        let current = Float(levels[i])
        var slx = sumLX - w[i] * x[i] * current
        var sl2 = sumL2 - w[i] * current * current
        guard slx > 0 && sl2 > 0 else { continue }
        let newL = min(nmax, nearestInt(x[i] * sl2 / slx))
        guard newL != Int(levels[i]) else { continue }
        let nf = Float(newL)
        slx += w[i] * x[i] * nf
        sl2 += w[i] * nf * nf
        if slx * slx * sumL2 > sumLX * sumLX * sl2 {
          levels[i] = UInt8(truncatingIfNeeded: newL); sumLX = slx; sumL2 = sl2
          changed += 1
        }
      }
      if changed == 0 { break }
    }
    return sumL2 > 0 ? sumLX / sumL2 : 0
  }
}

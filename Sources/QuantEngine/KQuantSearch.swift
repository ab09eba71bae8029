/// ggml's K-quant scale searches, rewritten operation for operation in float32 (no fused
/// multiply-add, sums accumulated left to right) so results match an FMA-free ggml build.
enum KQuantSearch {
  /// Below this a group counts as all zero.
  static let groupMaxEps: Float = 1e-15

  /// ggml `nearest_int`: round to nearest even through the 1.5·2²³ trick, including its
  /// wrap-around outside ±4194303.
  @inline(__always)
  static func nearestInt(_ value: Float) -> Int {
    let shifted = value + 12_582_912
    return Int(Int32(bitPattern: shifted.bitPattern & 0x007F_FFFF)) - 0x0040_0000
  }

  @inline(__always)
  static func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { max(lo, min(hi, v)) }

  /// Asymmetric scale+min search (`make_qkx2_quants`). Writes levels 0…nmax to `levels`,
  /// returns (scale, −min).
  static func scaleMin(
    count n: Int, nmax: Int, x: UnsafePointer<Float>, weights: UnsafePointer<Float>,
    levels: UnsafeMutablePointer<UInt8>, scratch: UnsafeMutablePointer<UInt8>,
    rmin: Float, rdelta: Float, steps: Int, useMAD: Bool
  ) -> (scale: Float, negativeMin: Float) {
    var minimum = x[0], maximum = x[0]
    var sumW = weights[0]
    var sumX = sumW * x[0]
    for i in 1..<n {
      if x[i] < minimum { minimum = x[i] }
      if x[i] > maximum { maximum = x[i] }
      let w = weights[i]
      sumW += w
      sumX += w * x[i]
    }
    if minimum > 0 { minimum = 0 }
    if maximum == minimum {
      for i in 0..<n { levels[i] = 0 }
      return (0, -minimum)
    }
    var iscale = Float(nmax) / (maximum - minimum)
    var scale = 1 / iscale
    var bestError: Float = 0
    for i in 0..<n {
      let l = clamp(nearestInt(iscale * (x[i] - minimum)), 0, nmax)
      levels[i] = UInt8(l)
      var diff = scale * Float(l) + minimum - x[i]
      diff = useMAD ? abs(diff) : diff * diff
      bestError += weights[i] * diff
    }
    if steps < 1 { return (scale, -minimum) }
    for step in 0...steps {
      iscale = (rmin + rdelta * Float(step) + Float(nmax)) / (maximum - minimum)
      var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
      for i in 0..<n {
        let l = clamp(nearestInt(iscale * (x[i] - minimum)), 0, nmax)
        scratch[i] = UInt8(l)
        let w = weights[i], lf = Float(l)
        sumL += w * lf
        sumL2 += w * lf * lf
        sumXL += w * lf * x[i]
      }
      let det = sumW * sumL2 - sumL * sumL
      guard det > 0 else { continue }
      var thisScale = (sumW * sumXL - sumX * sumL) / det
      var thisMin = (sumL2 * sumX - sumL * sumXL) / det
      if thisMin > 0 {
        thisMin = 0
        thisScale = sumXL / sumL2
      }
      var error: Float = 0
      for i in 0..<n {
        var diff = thisScale * Float(scratch[i]) + thisMin - x[i]
        diff = useMAD ? abs(diff) : diff * diff
        error += weights[i] * diff
      }
      if error < bestError {
        for i in 0..<n { levels[i] = scratch[i] }
        bestError = error
        scale = thisScale
        minimum = thisMin
      }
    }
    return (scale, -minimum)
  }

  /// The signed value with the largest magnitude (first on ties) and that magnitude.
  @inline(__always)
  static func signedMax(_ x: UnsafePointer<Float>, _ n: Int) -> (Float, Float) {
    var maximum: Float = 0, amax: Float = 0
    for i in 0..<n {
      let ax = abs(x[i])
      if ax > amax { amax = ax; maximum = x[i] }
    }
    return (maximum, amax)
  }

  /// Symmetric search with x² weights and coordinate descent (`make_q3_quants`, rmse on).
  /// Levels are stored offset by nmax.
  static func q3(count n: Int, nmax: Int, x: UnsafePointer<Float>, levels: UnsafeMutablePointer<Int8>) -> Float {
    let (maximum, amax) = signedMax(x, n)
    if amax < groupMaxEps {
      for i in 0..<n { levels[i] = 0 }
      return 0
    }
    let iscale = -Float(nmax) / maximum
    var sumLX: Float = 0, sumL2: Float = 0
    for i in 0..<n {
      let l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1)
      levels[i] = Int8(l)
      let w = x[i] * x[i], lf = Float(l)
      sumLX += w * x[i] * lf
      sumL2 += w * lf * lf
    }
    for _ in 0..<5 {
      var changed = 0
      for i in 0..<n {
        let w = x[i] * x[i], current = Float(levels[i])
        var slx = sumLX - w * x[i] * current
        guard slx > 0 else { continue }
        var sl2 = sumL2 - w * current * current
        let newL = clamp(nearestInt(x[i] * sl2 / slx), -nmax, nmax - 1)
        guard newL != Int(levels[i]) else { continue }
        let nf = Float(newL)
        slx += w * x[i] * nf
        sl2 += w * nf * nf
        if sl2 > 0 && slx * slx * sumL2 > sumLX * sumLX * sl2 {
          levels[i] = Int8(newL); sumLX = slx; sumL2 = sl2
          changed += 1
        }
      }
      if changed == 0 { break }
    }
    for i in 0..<n { levels[i] += Int8(nmax) }
    return sumL2 > 0 ? sumLX / sumL2 : 0
  }

  /// Symmetric search over 19 candidate scales with x² weights (`make_qx_quants`, rmse_type 1).
  /// Levels are stored offset by nmax.
  static func qx(count n: Int, nmax: Int, x: UnsafePointer<Float>, levels: UnsafeMutablePointer<Int8>) -> Float {
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
      let w = x[i] * x[i], lf = Float(l)
      sumLX += w * x[i] * lf
      sumL2 += w * lf * lf
    }
    var scale: Float = sumL2 != 0 ? sumLX / sumL2 : 0
    var best = scale * sumLX
    for step in -9...9 where step != 0 {
      iscale = -(Float(nmax) + 0.1 * Float(step)) / maximum
      sumLX = 0; sumL2 = 0
      for i in 0..<n {
        let l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1)
        let w = x[i] * x[i], lf = Float(l)
        sumLX += w * x[i] * lf
        sumL2 += w * lf * lf
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
}

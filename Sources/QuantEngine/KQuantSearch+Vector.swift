/// Faster forms of the K-quant searches that evaluate eight candidate scales at once, one per
/// vector lane. Each lane runs exactly the scalar sums in the scalar order, so results are
/// bit-identical to ``KQuantSearch``; only the candidates are interleaved.
extension KQuantSearch {
  static let laneIndex = F8(0, 1, 2, 3, 4, 5, 6, 7)

  /// ``scaleMin(count:nmax:x:weights:levels:scratch:rmin:rdelta:steps:useMAD:)`` with vector
  /// candidates. Accepting a candidate changes the minimum later candidates start from, so
  /// after an acceptance the remaining candidates are recomputed.
  static func scaleMinVector(
    count n: Int, nmax: Int, x: UnsafePointer<Float>, weights: UnsafePointer<Float>,
    levels: UnsafeMutablePointer<UInt8>, rmin: Float, rdelta: Float, steps: Int, useMAD: Bool
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
    let iscale0 = Float(nmax) / (maximum - minimum)
    var scale = 1 / iscale0
    var bestError: Float = 0
    for i in 0..<n {
      let l = clamp(nearestInt(iscale0 * (x[i] - minimum)), 0, nmax)
      levels[i] = UInt8(l)
      var diff = scale * Float(l) + minimum - x[i]
      diff = useMAD ? abs(diff) : diff * diff
      bestError += weights[i] * diff
    }
    if steps < 1 { return (scale, -minimum) }
    let top = F8(repeating: Float(nmax)), zero = F8()
    var next = 0
    // The candidates' levels, kept from the sums pass for the error pass.
    withUnsafeTemporaryAllocation(of: F8.self, capacity: n) { cache in
      guard let levelCache = cache.baseAddress else { return }
      while next <= steps {
        let first = next
        let iscale = (F8(repeating: rmin) + F8(repeating: rdelta) * (F8(repeating: Float(first)) + laneIndex)
          + F8(repeating: Float(nmax))) / F8(repeating: maximum - minimum)
        var sumL = F8(), sumL2 = F8(), sumXL = F8()
        for i in 0..<n {
          let lf = clampF8(roundEven(iscale * F8(repeating: x[i] - minimum)), zero, top)
          levelCache[i] = lf
          let wl = F8(repeating: weights[i]) * lf
          sumL += wl
          sumL2 += wl * lf
          sumXL += wl * F8(repeating: x[i])
        }
        let sw = F8(repeating: sumW), sx = F8(repeating: sumX)
        let det = sw * sumL2 - sumL * sumL
        var thisScale = (sw * sumXL - sx * sumL) / det
        var thisMin = (sumL2 * sx - sumL * sumXL) / det
        let positive = thisMin .> zero
        thisMin.replace(with: zero, where: positive)
        thisScale.replace(with: sumXL / sumL2, where: positive)
        var error = F8()
        for i in 0..<n {
          var diff = thisScale * levelCache[i] + thisMin - F8(repeating: x[i])
          diff = useMAD ? absF8(diff) : diff * diff
          error += F8(repeating: weights[i]) * diff
        }
        next = first + 8
        let startMinimum = minimum
        for lane in 0..<8 where first + lane <= steps {
          guard det[lane] > 0, error[lane] < bestError else { continue }
          let s = iscale[lane]
          for i in 0..<n { levels[i] = UInt8(clamp(nearestInt(s * (x[i] - startMinimum)), 0, nmax)) }
          bestError = error[lane]
          scale = thisScale[lane]
          minimum = thisMin[lane]
          // Later lanes were computed from the old minimum; they stay valid only if it is unchanged.
          if minimum.bitPattern != startMinimum.bitPattern {
            next = first + lane + 1
            break
          }
        }
      }
    }
    return (scale, -minimum)
  }

  /// ``qx(count:nmax:x:levels:)`` with the 18 candidate scales evaluated eight at a time
  /// (candidates do not depend on earlier acceptances here, only the comparison does).
  static func qxVector(count n: Int, nmax: Int, x: UnsafePointer<Float>, levels: UnsafeMutablePointer<Int8>) -> Float {
    let (maximum, amax) = signedMax(x, n)
    if amax < groupMaxEps {
      for i in 0..<n { levels[i] = 0 }
      return 0
    }
    let iscale0 = -Float(nmax) / maximum
    var sumLX: Float = 0, sumL2: Float = 0
    for i in 0..<n {
      let l = clamp(nearestInt(iscale0 * x[i]), -nmax, nmax - 1)
      levels[i] = Int8(l + nmax)
      let w = x[i] * x[i], lf = Float(l)
      sumLX += w * x[i] * lf
      sumL2 += w * lf * lf
    }
    var scale: Float = sumL2 != 0 ? sumLX / sumL2 : 0
    var best = scale * sumLX
    let lo = F8(repeating: -Float(nmax)), hi = F8(repeating: Float(nmax - 1))
    // Candidate steps −9…−1, 1…9 in order, in lanes of two vectors plus two scalars' worth.
    let stepsA = F8(-9, -8, -7, -6, -5, -4, -3, -2), stepsB = F8(-1, 1, 2, 3, 4, 5, 6, 7)
    let stepsC = F8(8, 9, 0, 0, 0, 0, 0, 0)
    for (group, stepVector) in [(0, stepsA), (1, stepsB), (2, stepsC)] {
      let lanes = group == 2 ? 2 : 8
      let iscale = -(F8(repeating: Float(nmax)) + F8(repeating: 0.1) * stepVector) / F8(repeating: maximum)
      var lx = F8(), l2 = F8()
      for i in 0..<n {
        let lf = clampF8(roundEven(iscale * F8(repeating: x[i])), lo, hi)
        let w = F8(repeating: x[i] * x[i])
        lx += w * F8(repeating: x[i]) * lf
        l2 += w * lf * lf
      }
      for lane in 0..<lanes where l2[lane] > 0 && lx[lane] * lx[lane] > best * l2[lane] {
        let s = iscale[lane]
        for i in 0..<n { levels[i] = Int8(nmax + clamp(nearestInt(s * x[i]), -nmax, nmax - 1)) }
        scale = lx[lane] / l2[lane]
        best = scale * lx[lane]
      }
    }
    return scale
  }
}

/// Clamps eight lanes as two SSE-width halves (each select becomes one `maxps`/`minps`; on eight
/// lanes it compiles to compare-and-blend). The lanes are never NaN here.
@inline(__always)
func clampF8(_ v: F8, _ lo: F8, _ hi: F8) -> F8 {
  @inline(__always) func clamp4(_ a: SIMD4<Float>, _ l: SIMD4<Float>, _ h: SIMD4<Float>) -> SIMD4<Float> {
    let raised = a.replacing(with: l, where: a .< l)
    return raised.replacing(with: h, where: raised .> h)
  }
  return F8(lowHalf: clamp4(v.lowHalf, lo.lowHalf, hi.lowHalf), highHalf: clamp4(v.highHalf, lo.highHalf, hi.highHalf))
}

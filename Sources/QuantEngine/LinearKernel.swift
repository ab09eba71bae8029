/// Fast int8/int4 kernels: quantize, dequantize and measure in one pass.
///
/// Arithmetic per element is exactly ``LinearReference``'s: `r = roundHalfAway(x·inv) + zp` with
/// `inv = 1/s` (see ``LinearReference/inverse(of:)``), clamp to [qmin, qmax], `x̂ = (r − zp)·s`;
/// a zero scale has inverse 0 and reconstructs 0.
enum LinearKernel {
  /// Integer range and zero point as floats (all exact small integers).
  struct Range {
    var qmin: Float
    var qmax: Float
    var zeroPoint: Float = 0
  }

  /// Quantizes `count` values sharing one scale. Writes the integers to `q` and the
  /// reconstruction to `xhat` when given; adds to `sums`; returns this span's Σe².
  @inline(__always)
  static func span(
    _ x: UnsafePointer<Float>, count: Int, scale: Float, range: Range,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?, sums: inout ErrorSums
  ) -> Double {
    let inverse = LinearReference.inverse(of: scale)
    let iv = F8(repeating: inverse), sv = F8(repeating: scale)
    let zp = F8(repeating: range.zeroPoint)
    let lo = F8(repeating: range.qmin), hi = F8(repeating: range.qmax)
    var maxErr = F8()
    var clipped = I8x8()
    var spanE2 = 0.0
    var start = 0
    while start < count {
      let end = min(count, start + CompareKernel.chunk)
      var sx2 = F8(), se2 = F8(), sxy = F8(), sy2 = F8()
      var i = start
      while i + 8 <= end {
        let a = loadF8(x, i)
        var r = roundHalfAway(a * iv) + zp
        clipped.replace(with: clipped &+ 1, where: (r .> hi) .| (r .< lo))
        r.replace(with: hi, where: r .> hi)
        r.replace(with: lo, where: r .< lo)
        let y = (r - zp) * sv
        if let q { UnsafeMutableRawPointer(q + i).storeBytes(of: SIMD8<Int8>(truncatingIfNeeded: integerLanes(r)), as: SIMD8<Int8>.self) }
        if let xhat { storeF8(y, xhat, i) }
        let e = a - y
        sx2 += a * a; se2 += e * e; sxy += a * y; sy2 += y * y
        let ae = absF8(e)
        maxErr.replace(with: ae, where: ae .> maxErr)
        i += 8
      }
      var tx2 = Double(sx2.sum()), te2 = Double(se2.sum())
      var txy = Double(sxy.sum()), ty2 = Double(sy2.sum())
      while i < end {
        let a = x[i]
        var r = (a * inverse).rounded() + range.zeroPoint
        if r > range.qmax || r < range.qmin { sums.clipped += 1 }
        r = min(max(r, range.qmin), range.qmax)
        let y = (r - range.zeroPoint) * scale
        q?[i] = Int8(r)
        xhat?[i] = y
        let e = a - y
        tx2 += Double(a * a); te2 += Double(e * e); txy += Double(a * y); ty2 += Double(y * y)
        if abs(e) > sums.maxAbsError { sums.maxAbsError = abs(e) }
        i += 1
      }
      sums.sumX2 += tx2; sums.sumE2 += te2; sums.sumXY += txy; sums.sumY2 += ty2
      spanE2 += te2
      start = end
    }
    let m = horizontalMaxF(maxErr)
    if m > sums.maxAbsError { sums.maxAbsError = m }
    sums.clipped += Int(clipped.wrappedSum())
    sums.count += count
    return spanE2
  }

  /// As ``span`` but with a scale per position: element `i` uses `scales[i]` (a row of
  /// interleaved channels). Adds each element's e² to `positionE2[i]`.
  @inline(__always)
  static func positions(
    _ x: UnsafePointer<Float>, count: Int, scales: UnsafePointer<Float>, inverses: UnsafePointer<Float>,
    range: Range, q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?,
    positionE2: UnsafeMutablePointer<Float>, sums: inout ErrorSums
  ) {
    let lo = F8(repeating: range.qmin), hi = F8(repeating: range.qmax)
    var maxErr = F8()
    var clipped = I8x8()
    var sx2 = F8(), se2 = F8(), sxy = F8(), sy2 = F8()
    var i = 0
    while i + 8 <= count {
      let a = loadF8(x, i)
      // Adding +0 turns a rounded −0 into +0, as the integer round trip of the reference does.
      var r = roundHalfAway(a * loadF8(inverses, i)) + F8()
      clipped.replace(with: clipped &+ 1, where: (r .> hi) .| (r .< lo))
      r.replace(with: hi, where: r .> hi)
      r.replace(with: lo, where: r .< lo)
      let y = r * loadF8(scales, i)
      if let q { UnsafeMutableRawPointer(q + i).storeBytes(of: SIMD8<Int8>(truncatingIfNeeded: integerLanes(r)), as: SIMD8<Int8>.self) }
      if let xhat { storeF8(y, xhat, i) }
      let e = a - y
      let e2 = e * e
      storeF8(loadF8(UnsafePointer(positionE2), i) + e2, positionE2, i)
      sx2 += a * a; se2 += e2; sxy += a * y; sy2 += y * y
      let ae = absF8(e)
      maxErr.replace(with: ae, where: ae .> maxErr)
      i += 8
    }
    var tx2 = Double(sx2.sum()), te2 = Double(se2.sum())
    var txy = Double(sxy.sum()), ty2 = Double(sy2.sum())
    while i < count {
      let a = x[i]
      var r = (a * inverses[i]).rounded() + 0
      if r > range.qmax || r < range.qmin { sums.clipped += 1 }
      r = min(max(r, range.qmin), range.qmax)
      let y = r * scales[i]
      q?[i] = Int8(r)
      xhat?[i] = y
      let e = a - y
      positionE2[i] += e * e
      tx2 += Double(a * a); te2 += Double(e * e); txy += Double(a * y); ty2 += Double(y * y)
      if abs(e) > sums.maxAbsError { sums.maxAbsError = abs(e) }
      i += 1
    }
    sums.sumX2 += tx2; sums.sumE2 += te2; sums.sumXY += txy; sums.sumY2 += ty2
    let m = horizontalMaxF(maxErr)
    if m > sums.maxAbsError { sums.maxAbsError = m }
    sums.clipped += Int(clipped.wrappedSum())
    sums.count += count
  }

  /// The symmetric hot path: no zero point, and no clamping or clipping to count, because the
  /// scale comes from max|x| and callers check ``scaleIsSafe(amax:scale:qmax:)`` first, so
  /// |x·inv| < qmax + 0.5 already.
  @inline(__always)
  static func spanSymmetric(
    _ x: UnsafePointer<Float>, count: Int, scale: Float, qmax: Float,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?, sums: inout ErrorSums
  ) -> Double {
    let inverse = LinearReference.inverse(of: scale)
    let iv = F8(repeating: inverse), sv = F8(repeating: scale)
    var maxErr = F8()
    var spanE2 = 0.0
    var start = 0
    while start < count {
      let end = min(count, start + CompareKernel.chunk)
      var sx2 = F8(), se2 = F8(), sxy = F8(), sy2 = F8()
      var i = start
      while i + 8 <= end {
        let a = loadF8(x, i)
        let r = roundHalfAway(a * iv)
        let y = r * sv
        if let q { UnsafeMutableRawPointer(q + i).storeBytes(of: SIMD8<Int8>(truncatingIfNeeded: integerLanes(r)), as: SIMD8<Int8>.self) }
        // (r + 0) turns −0 into +0, as the reference's integer round trip does.
        if let xhat { storeF8((r + F8()) * sv, xhat, i) }
        let e = a - y
        sx2 += a * a; se2 += e * e; sxy += a * y; sy2 += y * y
        let ae = absF8(e)
        maxErr.replace(with: ae, where: ae .> maxErr)
        i += 8
      }
      var tx2 = Double(sx2.sum()), te2 = Double(se2.sum())
      var txy = Double(sxy.sum()), ty2 = Double(sy2.sum())
      while i < end {
        let a = x[i]
        let r = (a * inverse).rounded() + 0
        let y = r * scale
        q?[i] = Int8(r)
        xhat?[i] = y
        let e = a - y
        tx2 += Double(a * a); te2 += Double(e * e); txy += Double(a * y); ty2 += Double(y * y)
        if abs(e) > sums.maxAbsError { sums.maxAbsError = abs(e) }
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

  /// True when max|x|·inv cannot round past qmax, so nothing clips (false only for scales that
  /// lost precision as subnormals).
  @inline(__always)
  static func scaleIsSafe(amax: Float, scale: Float, qmax: Float) -> Bool {
    amax * LinearReference.inverse(of: scale) < qmax + 0.5
  }

  /// Symmetric span through the fast kernel when it is exact, otherwise the general one.
  @inline(__always)
  static func symmetric(
    _ x: UnsafePointer<Float>, count: Int, amax: Float, scale: Float, qmax: Float,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?, sums: inout ErrorSums
  ) -> Double {
    if scaleIsSafe(amax: amax, scale: scale, qmax: qmax) {
      return spanSymmetric(x, count: count, scale: scale, qmax: qmax, q: q, xhat: xhat, sums: &sums)
    }
    return span(x, count: count, scale: scale, range: Range(qmin: -qmax, qmax: qmax), q: q, xhat: xhat, sums: &sums)
  }
}

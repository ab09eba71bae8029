import TensorCore

/// What the fast linear path produced besides the integers and the reconstruction.
struct LinearOutcome {
  var sums = ErrorSums()
  var rmseOverScale: Double?
  var scales: [Float] = []
  var zeroPoints: [Int32] = []
}

/// Drives ``LinearKernel`` over a tensor for one ``LinearQuantization``: finds the scales, then
/// quantizes scale group by scale group (while the group is still in cache where possible).
enum LinearScheme {
  static func run(
    _ values: UnsafeBufferPointer<Float>, shape: [Int], parameters p: LinearQuantization,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?
  ) throws(QuantError) -> LinearOutcome {
    let layout = try TensorLayout(shape: shape, bufferCount: values.count)
    guard let x = values.baseAddress, layout.count > 0 else {
      return emptyOutcome(shape: shape, parameters: p, layout: layout)
    }
    let range = LinearKernel.Range(qmin: Float(p.qmin), qmax: Float(p.qmax))
    switch p.granularity {
    case .tensor:
      return p.asymmetric
        ? try asymmetricTensor(x, layout.count, p, q: q, xhat: xhat)
        : try symmetricTensor(x, layout.count, range, q: q, xhat: xhat)
    case .channel(let axis):
      let split = try ChannelSplit(shape: shape, axis: axis)
      return try perChannel(x, split, range, q: q, xhat: xhat)
    case .group(let size):
      return try perGroup(x, layout, max(1, size), range, q: q, xhat: xhat)
    }
  }

  /// Scales for an empty tensor: nothing to measure, but the parameter arrays keep their shape.
  static func emptyOutcome(shape: [Int], parameters p: LinearQuantization, layout: TensorLayout) -> LinearOutcome {
    var outcome = LinearOutcome()
    switch p.granularity {
    case .tensor:
      outcome.scales = [1]
      if p.asymmetric { outcome.zeroPoints = [Int32(p.qmin)] }
    case .channel(let axis):
      let channels = (try? ChannelSplit(shape: shape, axis: axis))?.channels ?? 0
      outcome.scales = [Float](repeating: 0, count: channels)
    case .group(let size):
      outcome.scales = [Float](repeating: 0, count: layout.rows * layout.groupsPerRow(size: max(1, size)))
    }
    outcome.rmseOverScale = 0
    return outcome
  }

  static func nonFiniteError(_ x: UnsafePointer<Float>, _ count: Int) -> QuantError {
    NonFinite.error(in: UnsafeBufferPointer(start: x, count: count)) ?? .nonFinite(count: 0, firstIndex: 0)
  }

  /// Largest |x| of a span as a Float; throws when the span holds NaN/Inf.
  @inline(__always)
  static func checkedAbsMax(_ x: UnsafePointer<Float>, _ count: Int, whole: UnsafePointer<Float>, wholeCount: Int) throws(QuantError) -> Float {
    let bits = absMaxBits(x, count)
    if bits >= 0x7F80_0000 { throw nonFiniteError(whole, wholeCount) }
    return Float(bitPattern: UInt32(bitPattern: bits))
  }

  static func symmetricTensor(
    _ x: UnsafePointer<Float>, _ n: Int, _ range: LinearKernel.Range,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?
  ) throws(QuantError) -> LinearOutcome {
    let amax = try checkedAbsMax(x, n, whole: x, wholeCount: n)
    // The converter's per-tensor rule: an all-zero tensor gets scale 1.
    let scale = amax == 0 ? 1 : amax / range.qmax
    var outcome = LinearOutcome(scales: [scale])
    let e2 = LinearKernel.symmetric(x, count: n, amax: amax, scale: scale, qmax: range.qmax, q: q, xhat: xhat, sums: &outcome.sums)
    outcome.rmseOverScale = (e2 / Double(n)).squareRoot() / Double(scale)
    return outcome
  }

  static func asymmetricTensor(
    _ x: UnsafePointer<Float>, _ n: Int, _ p: LinearQuantization,
    q: UnsafeMutablePointer<Int8>?, xhat: UnsafeMutablePointer<Float>?
  ) throws(QuantError) -> LinearOutcome {
    if absMaxBits(x, n) >= 0x7F80_0000 { throw nonFiniteError(x, n) }
    let (lo, hi) = minMax(x, n)
    let (scale, zeroPoint) = LinearReference.asymmetricParameters(min: lo, max: hi, qmin: p.qmin, qmax: p.qmax)
    var outcome = LinearOutcome(scales: [scale], zeroPoints: [Int32(zeroPoint)])
    let range = LinearKernel.Range(qmin: Float(p.qmin), qmax: Float(p.qmax), zeroPoint: Float(zeroPoint))
    let e2 = LinearKernel.span(x, count: n, scale: scale, range: range, q: q, xhat: xhat, sums: &outcome.sums)
    outcome.rmseOverScale = (e2 / Double(n)).squareRoot() / Double(scale)
    return outcome
  }

  static func minMax(_ x: UnsafePointer<Float>, _ n: Int) -> (Float, Float) {
    var lo = F8(repeating: x[0]), hi = F8(repeating: x[0])
    var i = 0
    while i + 8 <= n {
      let v = loadF8(x, i)
      lo.replace(with: v, where: v .< lo)
      hi.replace(with: v, where: v .> hi)
      i += 8
    }
    var l = horizontalMinF(lo), h = horizontalMaxF(hi)
    while i < n { l = Swift.min(l, x[i]); h = Swift.max(h, x[i]); i += 1 }
    return (l, h)
  }

  /// Mean over scale groups of rmse/scale, skipping zero scales.
  static func meanRMSEOverScale(e2: [Double], scales: [Float], perGroupCount: Int) -> Double {
    var total = 0.0, used = 0
    for (index, scale) in scales.enumerated() where scale != 0 {
      total += (e2[index] / Double(perGroupCount)).squareRoot() / Double(scale)
      used += 1
    }
    return used == 0 ? 0 : total / Double(used)
  }
}

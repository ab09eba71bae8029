import TensorCore

/// Readable scalar reference for the int8/int4 schemes; the fast path must equal it exactly.
///
/// Rules (the TFLite converter's): symmetric scale = max|x|/qmax over the scale group; an all-zero
/// group gets scale 0 (per channel, per group) or 1 (per tensor); `q = clamp(round(x·inv))` with
/// `inv = 1/scale` (TFLite's quantization_utils multiplies by the inverse) and round half away
/// from zero. Asymmetric (per tensor): range widened to include 0,
/// scale = (max−min)/(qmax−qmin), zero point = round(qmin − min/scale) clamped,
/// `q = clamp(round(x·inv) + zp)`. Dequantized: `(q − zp)·scale`.
enum LinearReference {
  static func quantize(_ x: UnsafeBufferPointer<Float>, shape: [Int], parameters p: LinearQuantization) throws(QuantError) -> QuantizedData {
    let layout = try TensorLayout(shape: shape, bufferCount: x.count)
    if let error = NonFinite.error(in: x) { throw error }
    // Which scale each element uses.
    let scaleCount: Int
    let scaleIndex: (Int) -> Int
    switch p.granularity {
    case .tensor:
      scaleCount = 1
      scaleIndex = { _ in 0 }
    case .channel(let axis):
      let split = try ChannelSplit(shape: shape, axis: axis)
      scaleCount = split.channels
      scaleIndex = { split.channel(of: $0) }
    case .group(let groupSize):
      let size = max(1, groupSize)
      let groups = layout.groupsPerRow(size: size)
      scaleCount = layout.rows * groups
      scaleIndex = { i in (i / layout.rowLength) * groups + (i % layout.rowLength) / size }
    }
    var scales = [Float](repeating: 0, count: scaleCount)
    var zeroPoints: [Int32] = []
    if p.asymmetric {
      let lo = x.min() ?? 0, hi = x.max() ?? 0
      let (scale, zp) = asymmetricParameters(min: lo, max: hi, qmin: p.qmin, qmax: p.qmax)
      scales = [scale]
      zeroPoints = [Int32(zp)]
    } else {
      var amax = [Float](repeating: 0, count: scaleCount)
      for i in 0..<x.count { amax[scaleIndex(i)] = max(amax[scaleIndex(i)], abs(x[i])) }
      for s in 0..<scaleCount { scales[s] = amax[s] / Float(p.qmax) }
      if case .tensor = p.granularity, amax[0] == 0 { scales[0] = 1 }
    }
    var values = [UInt8](repeating: 0, count: x.count)
    for i in 0..<x.count {
      let scale = scales[scaleIndex(i)]
      let zp = zeroPoints.first.map { Int($0) } ?? 0
      values[i] = UInt8(bitPattern: Int8(quantizeValue(x[i], scale: scale, zeroPoint: zp, qmin: p.qmin, qmax: p.qmax)))
    }
    return QuantizedData(encoding: .linear(p), shape: shape, values: values, scales: scales, zeroPoints: zeroPoints)
  }

  /// One value: round half away from zero (Swift's default `rounded()`), then clamp.
  static func quantizeValue(_ x: Float, scale: Float, zeroPoint: Int, qmin: Int, qmax: Int) -> Int {
    let v = (x * inverse(of: scale)).rounded()
    // Clamp before converting: a subnormal scale can make the ratio huge.
    let r = Int(min(max(v, -1e6), 1e6)) + zeroPoint
    return min(max(r, qmin), qmax)
  }

  /// 1/scale computed in double and rounded to float, as the converter does; 0 for a zero scale.
  @inline(__always)
  static func inverse(of scale: Float) -> Float {
    scale == 0 ? 0 : Float(1.0 / Double(scale))
  }

  /// The converter's asymmetric rule; an all-zero range gets scale 1.
  static func asymmetricParameters(min lo: Float, max hi: Float, qmin: Int, qmax: Int) -> (scale: Float, zeroPoint: Int) {
    let low = min(lo, 0), high = max(hi, 0)
    var scale = (high - low) / Float(qmax - qmin)
    if scale == 0 { scale = 1 }
    let zp = (Double(qmin) - Double(low) / Double(scale)).rounded()
    return (scale, Int(min(max(zp, Double(qmin)), Double(qmax))))
  }

  /// `(q − zp)·scale` for every element, span by span (one scale per span, so the inner loops
  /// vectorise).
  static func dequantize(_ data: QuantizedData, parameters p: LinearQuantization, into out: UnsafeMutableBufferPointer<Float>) throws(QuantError) {
    let layout = try TensorLayout(shape: data.shape, bufferCount: out.count)
    guard data.values.count == layout.count else {
      throw .malformedData("\(data.values.count) stored values for \(layout.count) elements")
    }
    let expectedScales = try scaleCount(p, shape: data.shape, layout: layout)
    guard data.scales.count == expectedScales else {
      throw .malformedData("\(data.scales.count) scales, \(expectedScales) expected")
    }
    let zp = data.zeroPoints.first.map { Float($0) } ?? 0
    if p.asymmetric && data.zeroPoints.count != 1 { throw .malformedData("missing per-tensor zero point") }
    guard let y = out.baseAddress, layout.count > 0 else { return }
    data.values.withUnsafeBufferPointer { raw in
      guard let q = raw.baseAddress else { return }
      @inline(__always) func span(_ start: Int, _ count: Int, _ scale: Float) {
        for i in start..<(start + count) { y[i] = (Float(Int8(bitPattern: q[i])) - zp) * scale }
      }
      switch p.granularity {
      case .tensor:
        span(0, layout.count, data.scales.first ?? 0)
      case .channel:
        guard let split = try? ChannelSplit(shape: data.shape, axis: channelAxis(p)) else { return }
        for o in 0..<split.outer {
          for c in 0..<split.channels { span((o * split.channels + c) * split.inner, split.inner, data.scales[c]) }
        }
      case .group(let groupSize):
        let size = max(1, groupSize)
        let groups = layout.groupsPerRow(size: size)
        for row in 0..<layout.rows {
          for g in 0..<groups {
            span(row * layout.rowLength + g * size, min(size, layout.rowLength - g * size), data.scales[row * groups + g])
          }
        }
      }
    }
  }

  static func channelAxis(_ p: LinearQuantization) -> Int {
    if case .channel(let axis) = p.granularity { return axis }
    return 0
  }

  /// How many scales a tensor of this layout needs.
  static func scaleCount(_ p: LinearQuantization, shape: [Int], layout: TensorLayout) throws(QuantError) -> Int {
    switch p.granularity {
    case .tensor: return 1
    case .channel(let axis): return try ChannelSplit(shape: shape, axis: axis).channels
    case .group(let size): return layout.rows * layout.groupsPerRow(size: max(1, size))
    }
  }
}

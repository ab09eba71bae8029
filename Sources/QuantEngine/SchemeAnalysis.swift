import TensorCore

/// Quantize + dequantize + measure in one call: the hot path of `qscope inspect --scheme`.
///
/// Metrics are computed on exactly what a reader of the saved file dequantizes. NaN/Inf input
/// throws ``QuantError/nonFinite(count:firstIndex:)``.
public enum SchemeAnalysis {
  public static func evaluate(
    _ values: UnsafeBufferPointer<Float>, shape: [Int], scheme: Scheme, channelAxis: Int
  ) throws(QuantError) -> ErrorMetrics {
    let bytes = try Quantizer.storedBytes(scheme: scheme, shape: shape, channelAxis: channelAxis)
    let layout = try TensorLayout(shape: shape, bufferCount: values.count)
    switch scheme.encoding(channelAxis: channelAxis) {
    case .float32, .float16, .bfloat16:
      try NonFinite.check(values)
      let sums = FloatAnalysis.measure(values, scheme: scheme)
      return ErrorMetrics(sums: sums, storedBytes: bytes, rmseOverScale: nil)
    case .linear(let parameters):
      let outcome = try LinearScheme.run(values, shape: shape, parameters: parameters, q: nil, xhat: nil)
      return ErrorMetrics(sums: outcome.sums, storedBytes: bytes, rmseOverScale: outcome.rmseOverScale)
    case .blocks(let type):
      let (sums, ratio) = try BlockAnalysis.measure(values, layout: layout, type: type, scheme: scheme)
      return ErrorMetrics(sums: sums, storedBytes: bytes, rmseOverScale: ratio)
    }
  }

  /// As ``evaluate(_:shape:scheme:channelAxis:)``, also returning the quantized data (for writers)
  /// and the reconstruction (for error histograms).
  public static func evaluateKeeping(
    _ values: UnsafeBufferPointer<Float>, shape: [Int], scheme: Scheme, channelAxis: Int
  ) throws(QuantError) -> (metrics: ErrorMetrics, quantized: QuantizedData, reconstructed: [Float]) {
    let bytes = try Quantizer.storedBytes(scheme: scheme, shape: shape, channelAxis: channelAxis)
    let layout = try TensorLayout(shape: shape, bufferCount: values.count)
    let encoding = scheme.encoding(channelAxis: channelAxis)
    var reconstructed = [Float](repeating: 0, count: layout.count)
    if case .linear(let parameters) = encoding {
      var q = [UInt8](repeating: 0, count: layout.count)
      let outcome = try q.withUnsafeMutableBufferPointer { (qb) throws(QuantError) -> LinearOutcome in
        try reconstructed.withUnsafeMutableBufferPointer { (rb) throws(QuantError) -> LinearOutcome in
          let qp = qb.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Int8.self) }
          return try LinearScheme.run(values, shape: shape, parameters: parameters, q: qp, xhat: rb.baseAddress)
        }
      }
      let data = QuantizedData(encoding: encoding, shape: shape, values: q, scales: outcome.scales, zeroPoints: outcome.zeroPoints)
      return (ErrorMetrics(sums: outcome.sums, storedBytes: bytes, rmseOverScale: outcome.rmseOverScale), data, reconstructed)
    }
    let data = try Quantizer.quantize(values, shape: shape, scheme: scheme, channelAxis: channelAxis)
    try reconstructed.withUnsafeMutableBufferPointer { (rb) throws(QuantError) in
      try Quantizer.dequantize(data, into: rb)
    }
    let metrics: ErrorMetrics
    if case .blocks(let type) = encoding {
      let (sums, ratio) = try BlockAnalysis.measure(values, layout: layout, type: type, scheme: scheme)
      metrics = ErrorMetrics(sums: sums, storedBytes: bytes, rmseOverScale: ratio)
    } else {
      metrics = ErrorMetrics(sums: FloatAnalysis.measure(values, scheme: scheme), storedBytes: bytes, rmseOverScale: nil)
    }
    return (metrics, data, reconstructed)
  }
}

/// f16/bf16 round trip measured chunk by chunk.
enum FloatAnalysis {
  static func measure(_ values: UnsafeBufferPointer<Float>, scheme: Scheme) -> ErrorSums {
    var sums = ErrorSums()
    guard let x = values.baseAddress, !values.isEmpty else { return sums }
    if scheme == .f32 {
      CompareKernel.accumulate(x, x, count: values.count, into: &sums)
      return sums
    }
    let chunk = 4096
    withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk) { scratch in
      guard let y = scratch.baseAddress else { return }
      var start = 0
      while start < values.count {
        let n = min(chunk, values.count - start)
        FloatCastFast.roundTrip(x + start, y, count: n, bfloat: scheme == .bf16)
        // Overflow to ±inf is the cast's clipping.
        if absMaxBits(UnsafePointer(y), n) >= 0x7F80_0000 {
          for i in 0..<n where y[i].isInfinite { sums.clipped += 1 }
        }
        CompareKernel.accumulate(x + start, UnsafePointer(y), count: n, into: &sums)
        start += n
      }
    }
    return sums
  }
}

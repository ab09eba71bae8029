import TensorCore

extension SchemeAnalysis {
  /// As ``evaluate(_:shape:scheme:channelAxis:)`` with an importance vector (see
  /// ``Quantizer/quantize(_:shape:scheme:channelAxis:importance:)`` for its layout): ggml types
  /// that use it quantize importance-weighted, and the metrics gain ``ErrorMetrics/weightedMSE``
  /// and ``ErrorMetrics/weightedSQNRdB``. `nil` is the unweighted call.
  public static func evaluate(
    _ values: UnsafeBufferPointer<Float>, shape: [Int], scheme: Scheme, channelAxis: Int, importance: [Float]?
  ) throws(QuantError) -> ErrorMetrics {
    guard importance != nil else { return try evaluate(values, shape: shape, scheme: scheme, channelAxis: channelAxis) }
    return try evaluateKeeping(values, shape: shape, scheme: scheme, channelAxis: channelAxis, importance: importance).metrics
  }

  /// As ``evaluateKeeping(_:shape:scheme:channelAxis:)`` with an importance vector.
  public static func evaluateKeeping(
    _ values: UnsafeBufferPointer<Float>, shape: [Int], scheme: Scheme, channelAxis: Int, importance: [Float]?
  ) throws(QuantError) -> (metrics: ErrorMetrics, quantized: QuantizedData, reconstructed: [Float]) {
    guard let importance else { return try evaluateKeeping(values, shape: shape, scheme: scheme, channelAxis: channelAxis) }
    let layout = try TensorLayout(shape: shape, bufferCount: values.count)
    let weights = try importance.withUnsafeBufferPointer { (w) throws(QuantError) -> ImportanceLayout in
      try ImportanceLayout(w, layout: layout)
    }
    var result: (metrics: ErrorMetrics, quantized: QuantizedData, reconstructed: [Float])
    if case .blocks(let type) = scheme.encoding(channelAxis: channelAxis), BlockQuantize.usesImportance(type) {
      let data = try Quantizer.quantize(values, shape: shape, scheme: scheme, channelAxis: channelAxis, importance: importance)
      var reconstructed = [Float](repeating: 0, count: layout.count)
      try reconstructed.withUnsafeMutableBufferPointer { (rb) throws(QuantError) in try Quantizer.dequantize(data, into: rb) }
      let bytes = try Quantizer.storedBytes(scheme: scheme, shape: shape, channelAxis: channelAxis)
      let (sums, ratio) = measureDecoded(values, reconstructed, data.values, type: type)
      result = (ErrorMetrics(sums: sums, storedBytes: bytes, rmseOverScale: ratio), data, reconstructed)
    } else {
      result = try evaluateKeeping(values, shape: shape, scheme: scheme, channelAxis: channelAxis)
    }
    if let x = values.baseAddress, layout.count > 0 {
      let weighted = result.reconstructed.withUnsafeBufferPointer { y in
        importance.withUnsafeBufferPointer { w in
          guard let yp = y.baseAddress, let wp = w.baseAddress else { return WeightedErrorSums() }
          return WeightedErrorSums.measure(x, yp, rows: layout.rows, importance: wp, layout: weights)
        }
      }
      result.metrics.weightedMSE = weighted.mse
      result.metrics.weightedSQNRdB = weighted.sqnrDB
    } else {
      result.metrics.weightedMSE = 0
      result.metrics.weightedSQNRdB = .infinity
    }
    return result
  }

  /// Error sums and rmse/step of already quantized and decoded ggml blocks.
  static func measureDecoded(
    _ values: UnsafeBufferPointer<Float>, _ reconstructed: [Float], _ bytes: [UInt8], type: DType
  ) -> (ErrorSums, Double?) {
    var sums = ErrorSums()
    var ratioTotal = 0.0, ratioCount = 0
    guard let x = values.baseAddress, !values.isEmpty else { return (sums, 0) }
    reconstructed.withUnsafeBufferPointer { yb in
      bytes.withUnsafeBufferPointer { qb in
        guard let y = yb.baseAddress, let q = qb.baseAddress else { return }
        CompareKernel.accumulate(x, y, count: values.count, into: &sums)
        let size = type.blockSize
        for b in 0..<(values.count / size) {
          let step = BlockSteps.step(type, block: q + b * type.bytesPerBlock)
          guard step > 0 else { continue }
          let e2 = BlockAnalysis.squaredError(x + b * size, y + b * size, size)
          ratioTotal += (e2 / Double(size)).squareRoot() / Double(step)
          ratioCount += 1
        }
      }
    }
    return (sums, ratioCount == 0 ? 0 : ratioTotal / Double(ratioCount))
  }
}

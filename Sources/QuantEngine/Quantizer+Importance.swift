import TensorCore

extension Quantizer {
  /// As ``quantize(_:shape:scheme:channelAxis:)`` with an importance vector (llama.cpp's imatrix
  /// entry for this tensor): one weight per column of the last axis, or `rowLength × experts`
  /// weights for stacked expert tensors (rows split evenly among the experts).
  ///
  /// Q4_0/Q4_1/Q5_0/Q5_1 and Q2_K…Q6_K then run ggml's importance-weighted quantizers
  /// (bit-exact with an FMA-free ggml build); Q8_0, float casts and the linear schemes ignore the
  /// importance, as llama-quantize does. `nil` is the unweighted call. Throws
  /// ``QuantError/invalidImportance(_:)`` when the vector does not fit or holds NaN/Inf/negative weights.
  public static func quantize(
    _ values: UnsafeBufferPointer<Float>, shape: [Int], scheme: Scheme, channelAxis: Int, importance: [Float]?
  ) throws(QuantError) -> QuantizedData {
    guard let importance else { return try quantize(values, shape: shape, scheme: scheme, channelAxis: channelAxis) }
    let layout = try TensorLayout(shape: shape, bufferCount: values.count)
    let weights = try importance.withUnsafeBufferPointer { (w) throws(QuantError) -> ImportanceLayout in
      try ImportanceLayout(w, layout: layout)
    }
    let encoding = scheme.encoding(channelAxis: channelAxis)
    guard case .blocks(let type) = encoding, BlockQuantize.usesImportance(type) else {
      return try quantize(values, shape: shape, scheme: scheme, channelAxis: channelAxis)
    }
    let bytes = try quantizeBlocksWeighted(values, layout: layout, type: type, scheme: scheme, importance: importance, weights: weights)
    return QuantizedData(encoding: encoding, shape: shape, values: bytes)
  }

  static func quantizeBlocksWeighted(
    _ values: UnsafeBufferPointer<Float>, layout: TensorLayout, type: DType, scheme: Scheme, importance: [Float],
    weights: ImportanceLayout
  ) throws(QuantError) -> [UInt8] {
    guard layout.rowLength % type.blockSize == 0 else {
      throw .rowNotDivisible(rowLength: layout.rowLength, blockSize: type.blockSize, scheme: scheme.rawValue)
    }
    try NonFinite.check(values)
    let blocks = layout.count / type.blockSize
    guard let size = Checked.multiply(blocks, type.bytesPerBlock) else { throw .invalidShape("tensor too large") }
    var bytes = [UInt8](repeating: 0, count: size)
    guard let x = values.baseAddress, blocks > 0 else { return bytes }
    importance.withUnsafeBufferPointer { w in
      bytes.withUnsafeMutableBufferPointer { b in
        guard let out = b.baseAddress, let qw = w.baseAddress else { return }
        BlockQuantize.quantizeWeightedParallel(type, x, rows: layout.rows, importance: qw, layout: weights, into: out)
      }
    }
    return bytes
  }
}

import TensorCore

/// ggml schemes measured chunk by chunk: quantize a few blocks, decode them back with the same
/// decoder a reader uses, compare, and move on (all in cache).
enum BlockAnalysis {
  static let blocksPerChunk = 64

  static func measure(
    _ values: UnsafeBufferPointer<Float>, layout: TensorLayout, type: DType, scheme: Scheme
  ) throws(QuantError) -> (ErrorSums, Double?) {
    guard layout.rowLength % type.blockSize == 0 else {
      throw .rowNotDivisible(rowLength: layout.rowLength, blockSize: type.blockSize, scheme: scheme.rawValue)
    }
    try NonFinite.check(values)
    guard let decode = BlockDecoding.decoder(for: type) else { throw .unsupportedBlockType(type.rawValue) }
    var sums = ErrorSums()
    let blocks = layout.count / type.blockSize
    guard let x = values.baseAddress, blocks > 0 else { return (sums, 0) }
    let size = type.blockSize, stride = type.bytesPerBlock
    var ratioTotal = 0.0, ratioCount = 0
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: blocksPerChunk * stride) { byteScratch in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: blocksPerChunk * size) { floatScratch in
        guard let q = byteScratch.baseAddress, let y = floatScratch.baseAddress else { return }
        var first = 0
        while first < blocks {
          let n = min(blocksPerChunk, blocks - first)
          let src = x + first * size
          BlockQuantize.quantize(type, src, blocks: n, into: q)
          for b in 0..<n { decode(UnsafePointer(q + b * stride), y + b * size) }
          CompareKernel.accumulate(src, UnsafePointer(y), count: n * size, into: &sums)
          for b in 0..<n {
            let block = UnsafePointer(q + b * stride)
            let (step, clipped) = BlockSteps.stepAndClipped(type, block: block, x: src + b * size)
            sums.clipped += clipped
            if step > 0 {
              let e2 = squaredError(src + b * size, UnsafePointer(y + b * size), size)
              ratioTotal += (e2 / Double(size)).squareRoot() / Double(step)
              ratioCount += 1
            }
          }
          first += n
        }
      }
    }
    return (sums, ratioCount == 0 ? 0 : ratioTotal / Double(ratioCount))
  }

  /// Σ(x−y)² of one block (32 or 256 values) in Float.
  @inline(__always)
  static func squaredError(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Double {
    var s = F8()
    var i = 0
    while i + 8 <= n {
      let e = loadF8(x, i) - loadF8(y, i)
      s += e * e
      i += 8
    }
    return Double(s.sum())
  }
}

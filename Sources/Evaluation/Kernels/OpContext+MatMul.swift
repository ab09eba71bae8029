extension OpContext {
  /// FULLY_CONNECTED: input [..., k], weights [n, k], optional bias [n].
  func fullyConnected() throws(EvaluationError) -> EvalTensor {
    var x = try input(0)
    let w = try input(1)
    let bias = try optionalInput(2)
    guard w.rank == 2 else { throw fail("weights have shape \(w.shape), expected [units, inputs]") }
    let n = w.shape[0], k = w.shape[1]
    guard k > 0, x.count % k == 0 else { throw fail("input of \(x.count) values does not split into rows of \(k)") }
    if let bias, bias.count != n { throw fail("bias has \(bias.count) values for \(n) units") }
    let m = x.count / k
    if let hybrid { HybridQuantizer.fakeQuantize(&x.data, rows: m, asymmetric: hybrid.asymmetric) }
    var out = [Float](repeating: 0, count: m * n)
    let packed = w.data.withUnsafeBufferPointer { PackedWeights(rowsOf: $0, n: n, k: k) }
    matmul(x.data, m: m, packed, bias: bias?.data, into: &out)
    Activation.apply(activation, to: &out)
    let shape = op.bool("keep_num_dims") ? Array(x.shape.dropLast()) + [n] : [m, n]
    return EvalTensor(shape: shape, data: out)
  }

  func matmul(_ a: [Float], m: Int, _ packed: PackedWeights, bias: [Float]?, into out: inout [Float]) {
    a.withUnsafeBufferPointer { ab in
      out.withUnsafeMutableBufferPointer { ob in
        guard let ap = ab.baseAddress, let op = ob.baseAddress else { return }
        if let bias {
          bias.withUnsafeBufferPointer { bb in Gemm.multiply(ap, rows: m, weights: packed, bias: bb.baseAddress, into: op) }
        } else {
          Gemm.multiply(ap, rows: m, weights: packed, bias: nil, into: op)
        }
      }
    }
  }

  /// BATCH_MATMUL: x [..., m, k] · y [..., k, n] with broadcast batch dimensions and adj flags.
  func batchMatMul() throws(EvaluationError) -> EvalTensor {
    var x = try input(0)
    let y = try input(1)
    guard x.rank >= 2, y.rank >= 2 else { throw fail("operands need rank ≥ 2, got \(x.shape) and \(y.shape)") }
    let adjX = op.bool("adj_x"), adjY = op.bool("adj_y")
    let xr = x.shape[x.rank - 2], xc = x.shape[x.rank - 1]
    let yr = y.shape[y.rank - 2], yc = y.shape[y.rank - 1]
    let (m, k) = adjX ? (xc, xr) : (xr, xc)
    let (k2, n) = adjY ? (yc, yr) : (yr, yc)
    guard k == k2 else { throw fail("inner dimensions differ: \(x.shape) and \(y.shape)") }
    let xBatch = Array(x.shape.dropLast(2)), yBatch = Array(y.shape.dropLast(2))
    guard let batch = Broadcast.shape(xBatch, yBatch) else { throw fail("batch dimensions \(xBatch) and \(yBatch) do not broadcast") }
    let batchCount = batch.reduce(1, *)
    if let hybrid { HybridQuantizer.fakeQuantize(&x.data, rows: x.count / max(xc, 1), asymmetric: hybrid.asymmetric) }
    let xIndex = Broadcast.indexMap(from: xBatch, to: batch), yIndex = Broadcast.indexMap(from: yBatch, to: batch)
    var out = [Float](repeating: 0, count: batchCount * m * n)
    var packedCache: [Int: PackedWeights] = [:]
    for b in 0..<batchCount {
      let xs = Array(x.data[(xIndex[b] * xr * xc)..<((xIndex[b] + 1) * xr * xc)])
      let a = adjX ? Transpose.matrix(xs, rows: xr, cols: xc) : xs
      let packed: PackedWeights
      if let cached = packedCache[yIndex[b]] { packed = cached } else {
        let ys = Array(y.data[(yIndex[b] * yr * yc)..<((yIndex[b] + 1) * yr * yc)])
        let wRows = adjY ? ys : Transpose.matrix(ys, rows: yr, cols: yc)
        packed = wRows.withUnsafeBufferPointer { PackedWeights(rowsOf: $0, n: n, k: k) }
        packedCache[yIndex[b]] = packed
      }
      var part = [Float](repeating: 0, count: m * n)
      matmul(a, m: m, packed, bias: nil, into: &part)
      out.replaceSubrange((b * m * n)..<((b + 1) * m * n), with: part)
    }
    return EvalTensor(shape: batch + [m, n], data: out)
  }
}

enum Transpose {
  static func matrix(_ values: [Float], rows: Int, cols: Int) -> [Float] {
    var out = [Float](repeating: 0, count: values.count)
    for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = values[r * cols + c] } }
    return out
  }
}

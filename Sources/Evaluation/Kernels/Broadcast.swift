/// NumPy-style broadcasting of shapes and flat indices.
enum Broadcast {
  /// The broadcast shape of `a` and `b`, nil when they are incompatible.
  static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      guard x == y || x == 1 || y == 1 else { return nil }
      result[i] = x == 1 ? y : x
    }
    return result
  }

  /// For every flat index of `target`, the flat index of `source` it reads.
  static func indexMap(from source: [Int], to target: [Int]) -> [Int] {
    let rank = target.count
    let padded = [Int](repeating: 1, count: rank - source.count) + source
    var strides = [Int](repeating: 0, count: rank)
    var step = 1
    for i in (0..<rank).reversed() {
      strides[i] = padded[i] == 1 ? 0 : step
      step *= padded[i]
    }
    let total = target.reduce(1, *)
    var result = [Int](repeating: 0, count: total)
    var index = [Int](repeating: 0, count: rank)
    var offset = 0
    for flat in 0..<total {
      result[flat] = offset
      var d = rank - 1
      while d >= 0 {
        index[d] += 1
        offset += strides[d]
        if index[d] < target[d] { break }
        offset -= strides[d] * index[d]
        index[d] = 0
        d -= 1
      }
    }
    return result
  }
}

extension OpContext {
  static func binaryFunction(_ type: String) -> ((Float, Float) -> Float)? {
    switch type {
    case "ADD": return { $0 + $1 }
    case "SUB": return { $0 - $1 }
    case "MUL": return { $0 * $1 }
    case "DIV": return { $0 / $1 }
    case "MAXIMUM": return { Swift.max($0, $1) }
    case "MINIMUM": return { Swift.min($0, $1) }
    case "SQUARED_DIFFERENCE": return { ($0 - $1) * ($0 - $1) }
    default: return nil
    }
  }

  /// ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE with broadcasting.
  func binary() throws(EvaluationError) -> EvalTensor {
    let a = try input(0), b = try input(1)
    guard let f = OpContext.binaryFunction(op.type) else { throw EvaluationError.unsupportedOp(op: op.type, index: index) }
    var out = try OpContext.broadcastApply(a, b, f, fail: fail)
    Activation.apply(activation, to: &out.data)
    return out
  }

  static func broadcastApply(
    _ a: EvalTensor, _ b: EvalTensor, _ f: (Float, Float) -> Float, fail: (String) -> EvaluationError
  ) throws(EvaluationError) -> EvalTensor {
    guard let shape = Broadcast.shape(a.shape, b.shape) else { throw fail("shapes \(a.shape) and \(b.shape) do not broadcast") }
    let count = shape.reduce(1, *)
    var out = [Float](repeating: 0, count: count)
    if a.count == count && b.count == count {
      for i in 0..<count { out[i] = f(a.data[i], b.data[i]) }
    } else if a.count == count && b.count == 1 {
      let v = b.data[0]
      for i in 0..<count { out[i] = f(a.data[i], v) }
    } else if b.count == count && a.count == 1 {
      let v = a.data[0]
      for i in 0..<count { out[i] = f(v, b.data[i]) }
    } else if a.count == count, let last = shape.last, b.count == last, b.shape.last == last {
      a.data.withUnsafeBufferPointer { ap in b.data.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { op in
        for i in 0..<count { op[i] = f(ap[i], bp[i % last]) }
      } } }
    } else {
      let ia = Broadcast.indexMap(from: a.shape, to: shape), ib = Broadcast.indexMap(from: b.shape, to: shape)
      for i in 0..<count { out[i] = f(a.data[ia[i]], b.data[ib[i]]) }
    }
    return EvalTensor(shape: shape, data: out)
  }

  /// The elementwise unary ops.
  func unary() throws(EvaluationError) -> EvalTensor {
    var x = try input(0)
    guard let f = Activation.unary(op.type, alpha: op.float("alpha"), approximate: op.bool("approximate")) else {
      throw EvaluationError.unsupportedOp(op: op.type, index: index)
    }
    Activation.map(&x.data, f)
    return x
  }

  /// PRELU: x ≥ 0 ? x : alpha · x, alpha broadcast against x.
  func prelu() throws(EvaluationError) -> EvalTensor {
    try OpContext.broadcastApply(try input(0), try input(1), { $0 >= 0 ? $0 : $0 * $1 }, fail: fail)
  }

  /// QUANTIZE run in float: the value the int8 tensor would hold, dequantized again.
  func quantize() throws(EvaluationError) -> EvalTensor {
    var x = try input(0)
    guard let q = output?.quantization, let scale = q.scales.first, q.scales.count == 1, scale > 0 else { return x }
    let zp = Float(q.zeroPoints.first ?? 0)
    let (low, high): (Float, Float)
    switch output?.dtype {
    case .i8?: (low, high) = (-128, 127)
    case .u8?: (low, high) = (0, 255)
    case .i16?: (low, high) = (-32768, 32767)
    default: return x
    }
    Activation.map(&x.data) { v in (Swift.min(Swift.max((v / scale).rounded(.toNearestOrEven) + zp, low), high) - zp) * scale }
    return x
  }
}

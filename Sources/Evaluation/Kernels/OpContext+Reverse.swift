import TensorCore

extension OpContext {
  /// REVERSE_V2: x with the order of elements along each listed axis reversed (the converter
  /// emits it around the backward LSTM of a Bidirectional layer).
  func reverseV2() throws(EvaluationError) -> EvalTensor {
    let x = try input(0)
    var reversed = Set<Int>()
    for value in try input(1).ints {
      let a = try axis(value, rank: x.rank)
      guard reversed.insert(a).inserted else { throw fail("axis \(value) is listed twice") }
    }
    guard !x.data.isEmpty else { return x }
    let strides = Shape.strides(x.shape)
    var start = 0
    var steps = strides
    for a in reversed {
      // Start at the last element along the axis and walk backwards.
      start += (x.shape[a] - 1) * strides[a]
      steps[a] = -strides[a]
    }
    return EvalTensor(shape: x.shape, data: gatherStrided(x, shape: x.shape, start: start, steps: steps))
  }
}

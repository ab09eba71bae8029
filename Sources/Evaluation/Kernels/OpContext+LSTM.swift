import Foundation
import TensorCore

extension OpContext {
  /// UNIDIRECTIONAL_SEQUENCE_LSTM as LiteRT computes it: per step, each gate is bias + W·xₜ + R·hₜ₋₁
  /// (+ peephole·c for the input, forget and output gates); i, f, o through sigmoid (i = 1 − f
  /// without input-gate weights, CIFG), the cell input and the output through the fused
  /// activation; the cell clipped to ±cell_clip and the output projected (and clipped) when the op
  /// has a projection. The state starts at the state inputs' values, or zero when they have none
  /// (variable tensors). Hybrid: xₜ and hₜ₋₁ are quantized per batch row before the products, as
  /// the int8 kernel does. Layer-normalized LSTMs are refused.
  func unidirectionalSequenceLSTM() throws(EvaluationError) -> EvalTensor {
    guard inputCount == 20 || inputCount == 24 else { throw fail("has \(inputCount) inputs, expected 20 or 24") }
    for slot in 20..<inputCount where try optionalInput(slot) != nil {
      throw fail("layer-normalized LSTM is not supported")
    }
    let x = try input(0)
    try requireRank(x, 3, "input")
    let timeMajor = op.bool("time_major")
    let (steps, batch, features) = timeMajor ? (x.shape[0], x.shape[1], x.shape[2]) : (x.shape[1], x.shape[0], x.shape[2])
    guard Shape.elementCount(x.shape) == x.count else { throw fail("input holds \(x.count) values for shape \(x.shape)") }
    let forget = try input(2)
    try requireRank(forget, 2, "input_to_forget_weights")
    let units = forget.shape[0]
    let recurrentForget = try input(6)
    try requireRank(recurrentForget, 2, "recurrent_to_forget_weights")
    let outputs = recurrentForget.shape[1]
    guard units > 0, outputs > 0, forget.shape[1] == features, recurrentForget.shape[0] == units else {
      throw fail("weights \(forget.shape) and \(recurrentForget.shape) do not fit input \(x.shape)")
    }
    let cifg = try optionalInput(1) == nil
    let cifgExtras = [try optionalInput(5), try optionalInput(12)].contains { $0 != nil }
    if cifg, cifgExtras {
      throw fail("input-gate weights are missing but its recurrent weights or bias are present")
    }
    func matrix(_ slot: Int, _ rows: Int, _ cols: Int) throws(EvaluationError) -> PackedWeights? {
      guard let w = try optionalInput(slot) else { return nil }
      guard w.shape == [rows, cols], w.count == rows * cols else {
        throw fail("input \(slot) has shape \(w.shape), expected [\(rows), \(cols)]")
      }
      return w.data.withUnsafeBufferPointer { PackedWeights(rowsOf: $0, n: rows, k: cols) }
    }
    func vector(_ slot: Int, _ count: Int) throws(EvaluationError) -> [Float]? {
      guard let v = try optionalInput(slot) else { return nil }
      guard v.count == count else { throw fail("input \(slot) has \(v.count) values, expected \(count)") }
      return v.data
    }
    // Gate order as TFLite numbers the inputs: input, forget, cell, output.
    var inputWeights: [PackedWeights?] = [], recurrentWeights: [PackedWeights?] = [], biases: [[Float]] = []
    for gate in 0..<4 {
      inputWeights.append(try matrix(1 + gate, units, features))
      recurrentWeights.append(try matrix(5 + gate, units, outputs))
      biases.append(try vector(12 + gate, units) ?? [Float](repeating: 0, count: units))
      if gate > 0 || !cifg, inputWeights[gate] == nil || recurrentWeights[gate] == nil {
        throw fail("the weights of gate \(gate) are missing")
      }
    }
    let peepholes = [try vector(9, units), try vector(10, units), try vector(11, units)]
    let projection = try matrix(16, outputs, units)
    let projectionBias = try vector(17, outputs)
    guard projection != nil || outputs == units else { throw fail("output size \(outputs) differs from \(units) units without a projection") }
    var h = try state(18, batch * outputs), c = try state(19, batch * units)
    let cellClip = op.float("cell_clip"), projClip = op.float("proj_clip")
    // NONE is the identity; the converter writes TANH.
    let cellActivation = Activation.unary(activation, alpha: 0, approximate: false) ?? { $0 }
    var result = [Float](repeating: 0, count: steps * batch * outputs)
    var step = [Float](repeating: 0, count: batch * features)
    for t in 0..<steps {
      for b in 0..<batch {
        let source = (timeMajor ? t * batch + b : b * steps + t) * features
        for j in 0..<features { step[b * features + j] = x.data[source + j] }
      }
      var xq = step, hq = h
      if let hybrid {
        HybridQuantizer.fakeQuantize(&xq, rows: batch, asymmetric: hybrid.asymmetric)
        HybridQuantizer.fakeQuantize(&hq, rows: batch, asymmetric: hybrid.asymmetric)
      }
      var pre = [[Float]](repeating: [], count: 4)
      for gate in 0..<4 {
        guard let w = inputWeights[gate], let r = recurrentWeights[gate] else { continue }
        var fromInput = [Float](repeating: 0, count: batch * units), fromState = fromInput
        matmul(xq, m: batch, w, bias: biases[gate], into: &fromInput)
        matmul(hq, m: batch, r, bias: nil, into: &fromState)
        pre[gate] = zip(fromInput, fromState).map { $0 + $1 }
      }
      var gated = [Float](repeating: 0, count: batch * units)
      for b in 0..<batch {
        for u in 0..<units {
          let k = b * units + u
          let old = c[k]
          let f = sigmoid(pre[1][k] + (peepholes[1]?[u] ?? 0) * old)
          let i = cifg ? 1 - f : sigmoid(pre[0][k] + (peepholes[0]?[u] ?? 0) * old)
          var cell = f * old + i * cellActivation(pre[2][k])
          if cellClip > 0 { cell = Swift.min(Swift.max(cell, -cellClip), cellClip) }
          c[k] = cell
          let o = sigmoid(pre[3][k] + (peepholes[2]?[u] ?? 0) * cell)
          gated[k] = o * cellActivation(cell)
        }
      }
      if let projection {
        var projected = [Float](repeating: 0, count: batch * outputs)
        matmul(gated, m: batch, projection, bias: projectionBias, into: &projected)
        if projClip > 0 { Activation.clamp(&projected, -projClip, projClip) }
        h = projected
      } else {
        h = gated
      }
      for b in 0..<batch {
        let target = (timeMajor ? t * batch + b : b * steps + t) * outputs
        for j in 0..<outputs { result[target + j] = h[b * outputs + j] }
      }
    }
    return EvalTensor(shape: timeMajor ? [steps, batch, outputs] : [batch, steps, outputs], data: result)
  }

  func sigmoid(_ v: Float) -> Float { 1 / (1 + expf(-v)) }

  /// A state input: its value when something set one (a constant or an earlier op), else zeros —
  /// variable tensors start at zero, as after LiteRT's reset.
  func state(_ slot: Int, _ count: Int) throws(EvaluationError) -> [Float] {
    guard slot < op.inputs.count, op.inputs[slot] >= 0, op.inputs[slot] < values.count, let value = values[op.inputs[slot]] else {
      return [Float](repeating: 0, count: count)
    }
    guard value.count == count else { throw fail("state input \(slot) has \(value.count) values, expected \(count)") }
    return value.data
  }
}

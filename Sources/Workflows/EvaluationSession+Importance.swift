import Evaluation
import TensorCore

/// Per-input-channel activation statistics of one weight: what llama.cpp's imatrix collects.
public struct ActivationImportance: Sendable, Equatable {
  /// Mean of the squared input activation per input channel ⟨a_j²⟩, over every sample and position.
  public var values: [Float]
  /// The weight axis the values run along (the axis the op sums over with the activation).
  public var axis: Int
  /// Activation rows (samples × positions) the means cover.
  public var rows: Int

  public init(values: [Float], axis: Int, rows: Int) { self.values = values; self.axis = axis; self.rows = rows }
}

extension EvaluationSession {
  /// ⟨a_j²⟩ per input channel j of every FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D,
  /// TRANSPOSE_CONV and BATCH_MATMUL weight, from the float activations cached when the session
  /// opened (no extra run), keyed by model tensor name. A weight read through DEQUANTIZE or
  /// DENSIFY counts for the op behind it; a weight shared by several ops averages over all rows.
  public func activationImportance() -> [String: ActivationImportance] {
    let graph = interpreter.graph
    var sums: [Int: (squares: [Double], rows: Int, axis: Int)] = [:]
    for op in graph.ops {
      guard let use = ActivationUse(op) else { continue }
      guard use.weightSlot < op.inputs.count, use.inputSlot < op.inputs.count else { continue }
      let weightTensor = op.inputs[use.weightSlot], activationTensor = op.inputs[use.inputSlot]
      guard let model = modelTensor(behind: weightTensor, graph: graph), activationTensor >= 0,
        activationTensor < floatValues.count, let activation = floatValues[activationTensor],
        model < self.model.tensors.count
      else { continue }
      let shape = self.model.tensors[model].shape
      guard let (squares, rows, axis) = use.statistics(activation, weightShape: shape) else { continue }
      if var existing = sums[model], existing.squares.count == squares.count, existing.axis == axis {
        for j in squares.indices { existing.squares[j] += squares[j] }
        existing.rows += rows
        sums[model] = existing
      } else if sums[model] == nil {
        sums[model] = (squares, rows, axis)
      }
    }
    var result: [String: ActivationImportance] = [:]
    for (model, sum) in sums where sum.rows > 0 {
      let values = sum.squares.map { Float($0 / Double(sum.rows)) }
      result[self.model.tensors[model].name] = ActivationImportance(values: values, axis: sum.axis, rows: sum.rows)
    }
    return result
  }

  /// The model tensor a graph tensor holds, looking through DEQUANTIZE and DENSIFY producers.
  func modelTensor(behind tensor: Int, graph: ModelGraph) -> Int? {
    var t = tensor
    for _ in 0..<4 {
      guard t >= 0, t < graph.tensors.count else { return nil }
      if case let .modelTensor(m)? = graph.tensors[t].constant { return m }
      guard let p = interpreter.producers[t], ["DEQUANTIZE", "DENSIFY"].contains(graph.ops[p].type),
        let source = graph.ops[p].inputs.first
      else { return nil }
      t = source
    }
    return nil
  }
}

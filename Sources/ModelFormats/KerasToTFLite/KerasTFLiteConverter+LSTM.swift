import TensorCore

/// Keras `LSTM` as the TF converter fuses it: one UNIDIRECTIONAL_SEQUENCE_LSTM (batch-major, tanh
/// cell activation, cell clip 10, zero initial state in two variable tensors) with the kernel split
/// per gate (Keras order input, forget, cell, output) and transposed to [units, inputs]; without
/// `return_sequences` a STRIDED_SLICE then keeps the last step.
extension KerasTFLiteConverter {
  /// The TF converter writes this clip on every LSTM it fuses from Keras.
  static let lstmCellClip: Float = 10

  /// Why an LSTM layer cannot become the fused op, or nil. The converter fuses only the standard
  /// cell (tanh, sigmoid); the other options change what the op has to compute. `backwards`: the
  /// backward layer of a Bidirectional, which runs backwards by design.
  static func lstmUnsupportedReason(_ config: LayerConfig, backwards: Bool = false) -> String? {
    let activation = config.activation() ?? "tanh"
    guard activation == "tanh" else { return "LSTM activation '\(activation)' is not converted (the fused op needs tanh)" }
    let recurrent = config.activation("recurrent_activation") ?? "sigmoid"
    guard recurrent == "sigmoid" else {
      return "LSTM recurrent_activation '\(recurrent)' is not converted (the fused op computes its gates with sigmoid)"
    }
    for flag in ["go_backwards", "return_state", "stateful", "time_major"] where config.bool(flag) == true {
      if backwards && flag == "go_backwards" { continue }
      return "LSTM with \(flag)=True is not converted"
    }
    return nil
  }

  /// Recurrent layers the TF converter does not fuse: it writes them as a WHILE loop over the steps
  /// (subgraphs for the condition and the body), which we do not convert. Nil for other classes.
  static func loopedRecurrentReason(_ className: String) -> String? {
    guard ["GRU", "SimpleRNN"].contains(className) else { return nil }
    return "the TF converter writes a Keras \(className) as a WHILE loop over the steps, not a fused op (TFLite has none "
      + "for it); QuantScope converts only the fused LSTM (LSTM, Bidirectional(LSTM))"
  }

  /// LSTM layers in a model where an Embedding produces a mask (`mask_zero=True`): Keras then skips
  /// the masked steps, which the fused op cannot, so those layers are refused rather than converted
  /// to something that computes differently.
  static func maskedRecurrentProblems(_ calls: [KerasGraph.Call]) -> [String] {
    let masking = calls.contains { $0.className == "Embedding" && LayerConfig(json: $0.config).bool("mask_zero") == true }
    guard masking else { return [] }
    var seen: Set<String> = []
    return calls.filter { ["LSTM", "Bidirectional"].contains($0.className) && seen.insert($0.name).inserted }.map {
      "'\($0.name)' (\($0.className)): an Embedding with mask_zero=True masks steps, which the fused LSTM op cannot skip"
    }
  }

  /// The gate names in Keras' kernel order, as TFLite names the op's inputs.
  static let lstmGates = ["input", "forget", "cell", "output"]

  /// `direction`: the Bidirectional sub-object ("forward_layer", "backward_layer") holding the cell.
  mutating func lstm(_ layer: String, _ name: String, _ config: LayerConfig, _ input: Value, direction: String? = nil) throws(Issue) -> Value {
    guard input.rank == 3 else { throw Issue("expects a [batch, timesteps, features] input, got \(Shape.describe(input.shape))") }
    let (steps, features) = (input.shape[1], input.shape[2])
    let kernelOwner = try lstmVariableOwner(layer, "kernel", direction)
    let kernel = try weight(kernelOwner.layer, kernelOwner.key)
    guard kernel.shape.count == 2, kernel.shape[0] == features, kernel.shape[1] % 4 == 0, kernel.shape[1] > 0 else {
      throw Issue("kernel \(Shape.describe(kernel.shape)) does not match \(features) input features and 4 gates")
    }
    let units = kernel.shape[1] / 4
    if let configured = config.int("units"), configured != units {
      throw Issue("kernel \(Shape.describe(kernel.shape)) does not match units=\(configured)")
    }
    let recurrentOwner = try lstmVariableOwner(layer, "recurrent_kernel", direction)
    let recurrent = try weight(recurrentOwner.layer, recurrentOwner.key)
    guard recurrent.shape == [units, 4 * units] else {
      throw Issue("recurrent_kernel \(Shape.describe(recurrent.shape)) is not [\(units), \(4 * units)]")
    }
    var bias = [Float](repeating: 0, count: 4 * units)
    var biasOwner: (layer: String, key: String)?
    if config.bool("use_bias") ?? true {
      let owner = try lstmVariableOwner(layer, "bias", direction)
      let stored = try weight(owner.layer, owner.key)
      guard stored.shape == [4 * units] else { throw Issue("bias \(Shape.describe(stored.shape)) is not [\(4 * units)]") }
      bias = stored.values
      biasOwner = owner
    }
    // Each gate's slice carries the name of the Keras variable it comes from, so a plan (or the
    // TUI's choice) for the Keras kernel reaches its four gate matrices.
    let inputWeights = Self.lstmLayoutGates(kernel.values, rows: features, units: units).enumerated().map { gate, values in
      mark(graph.constant("\(name)/input_to_\(Self.lstmGates[gate])_weights", shape: [units, features], floats: values),
           kernelOwner.layer, kernelOwner.key)
    }
    let recurrentWeights = Self.lstmLayoutGates(recurrent.values, rows: units, units: units).enumerated().map { gate, values in
      mark(graph.constant("\(name)/recurrent_to_\(Self.lstmGates[gate])_weights", shape: [units, units], floats: values),
           recurrentOwner.layer, recurrentOwner.key)
    }
    let biases = (0..<4).map { gate in
      let tensor = graph.constant("\(name)/\(Self.lstmGates[gate])_gate_bias", shape: [units],
                                  floats: Array(bias[gate * units..<(gate + 1) * units]))
      if let biasOwner { mark(tensor, biasOwner.layer, biasOwner.key) }
      return tensor
    }
    let outputState = graph.variable("\(name)/output_state", shape: [input.shape[0], units])
    let cellState = graph.variable("\(name)/cell_state", shape: [input.shape[0], units])
    let inputs: [Int] = [input.tensor] + inputWeights + recurrentWeights + [-1, -1, -1] + biases + [-1, -1]
      + [outputState, cellState, -1, -1, -1, -1]
    let sequence = output("\(name)/UnidirectionalSequenceLSTM", [input.shape[0], steps, units])
    graph.append(ConvertedOps.unidirectionalLSTM, inputs, [sequence.tensor],
                 options: ConvertedOps.unidirectionalLSTM(cellClip: Self.lstmCellClip))
    guard !(config.bool("return_sequences") ?? false) else { return sequence }
    // The last step: begin [0, -1, 0], end [0, 0, 0] with begin/end masks on axes 0 and 2, axis 1 shrunk.
    let begin = graph.constant("\(name)/strided_slice/stack", int32s: [0, -1, 0])
    let end = graph.constant("\(name)/strided_slice/stack_1", int32s: [0, 0, 0])
    let strides = graph.constant("\(name)/strided_slice/stack_2", int32s: [1, 1, 1])
    return unary(ConvertedOps.stridedSlice, sequence, "\(name)/strided_slice", shape: [input.shape[0], units],
                 options: ConvertedOps.stridedSliceOptions(beginMask: 5, endMask: 5, shrinkAxisMask: 2),
                 extra: [begin, end, strides])
  }

  /// Where a variable of the LSTM layer is indexed (owner and key for ``weight(_:_:)``): Keras 3
  /// keeps them in the layer's `cell`, Keras 2 files under the layer itself, legacy .h5 files under
  /// the cell's own name (`lstm/lstm_cell/kernel`).
  func lstmVariableOwner(_ layer: String, _ variable: String, _ direction: String? = nil) throws(Issue) -> (layer: String, key: String) {
    if let direction {
      let key = "\(direction)/cell/\(variable)"
      if weightIndex[layer]?[key] != nil { return (layer, key) }
      // Keras 2 (.h5) names a direction's cell after the wrapped layer: bi/forward_lstm/lstm_cell/kernel.
      let side = direction.hasPrefix("forward") ? "forward_" : "backward_"
      let owners = weightIndex.keys.filter { $0.hasPrefix("\(layer)/\(side)") && weightIndex[$0]?[variable] != nil }
      guard owners.count == 1, let owner = owners.first else { throw Issue("variable '\(key)' is missing from the weights file") }
      return (owner, variable)
    }
    let cells = weightIndex.keys.filter { $0.hasPrefix(layer + "/") && $0 != layer + "/cell" }.sorted()
    for owner in [layer + "/cell", layer] + cells {
      guard let variables = weightIndex[owner] else { continue }
      if variables[variable] != nil { return (owner, variable) }
      let nested = variables.keys.filter { $0.hasSuffix("/" + variable) }
      if nested.count == 1, let key = nested.first { return (owner, key) }
    }
    throw Issue("variable '\(variable)' is missing from the weights file")
  }

  /// A Keras gate-stacked matrix `[rows, 4·units]` as four `[units, rows]` matrices (one per gate,
  /// transposed: TFLite's weights are output-major).
  static func lstmLayoutGates(_ values: [Float], rows: Int, units: Int) -> [[Float]] {
    (0..<4).map { gate in
      var out = [Float](repeating: 0, count: units * rows)
      for r in 0..<rows {
        for u in 0..<units { out[u * rows + r] = values[r * 4 * units + gate * units + u] }
      }
      return out
    }
  }
}

import TensorCore

extension TFLitePresets {
  /// Model tensor indices of the recurrent-op weights that dynamic-range quantization turns into
  /// int8: all weight matrices of an op, when each is a float32 constant with at least
  /// ``minimumElements`` elements and the writer can store the op hybrid.
  static func hybridRecurrentWeights(_ model: Model) -> Set<Int> {
    guard let context = model.formatContext as? TFLiteContext else { return [] }
    let file = context.file
    var modelIndex: [[Int]: Int] = [:]
    for (index, ref) in context.tensorRefs.enumerated() where index < model.tensors.count {
      modelIndex[[ref.subgraph, ref.tensor]] = index
    }
    let hybrid = QuantEncoding.linear(.init(bits: 8, qmin: -127, qmax: 127, granularity: .tensor, asymmetric: false))
    var rewriter: TFLiteRewriter? = nil
    var result: Set<Int> = []
    let subgraphTables = file.root.tables(TFLiteSchema.ModelField.subgraphs)
    for (s, subgraph) in file.subgraphs.enumerated() {
      let opTables = s < subgraphTables.count ? subgraphTables[s].tables(TFLiteSchema.SubGraphField.operators) : []
      for (i, op) in subgraph.operators.enumerated() {
        let code = file.operatorCodes[op.opcodeIndex].code
        guard TFLiteRecurrentWeights.layouts[code] != nil else { continue }
        let options = i < opTables.count ? opTables[i].table(TFLiteSchema.OperatorField.options) : nil
        guard case let .success(slots) = TFLiteRecurrentWeights.weightSlots(code: code, inputs: op.inputs, options: options)
        else { continue }
        var indices: [Int] = []
        for slot in slots {
          let t = op.inputs[slot]
          guard let index = modelIndex[[s, t]], model.tensors[index].dtype == .f32,
            model.tensors[index].elementCount >= minimumElements
          else { break }
          if rewriter == nil { rewriter = TFLiteRewriter(file: file) }
          guard rewriter?.unsupportedReason(s, t, encoding: hybrid) == nil else { break }
          indices.append(index)
        }
        if indices.count == slots.count { result.formUnion(indices) }
      }
    }
    return result
  }
}

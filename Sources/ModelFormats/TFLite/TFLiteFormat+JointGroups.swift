import TensorCore

extension TFLiteFormat {
  /// The weight matrices of each LSTM, RNN and SVDF op: their kernels run float or hybrid for
  /// the whole op, so the writer re-encodes them all (as per-tensor symmetric int8) or none.
  public static func jointGroups(in model: Model) -> [JointTensorGroup] {
    guard let context = model.formatContext as? TFLiteContext else { return [] }
    let file = context.file
    var modelIndex: [[Int]: Int] = [:]
    for (index, ref) in context.tensorRefs.enumerated() where index < model.tensors.count {
      modelIndex[[ref.subgraph, ref.tensor]] = index
    }
    var groups: [JointTensorGroup] = []
    let subgraphTables = file.root.tables(TFLiteSchema.ModelField.subgraphs)
    for (s, subgraph) in file.subgraphs.enumerated() {
      let opTables = s < subgraphTables.count ? subgraphTables[s].tables(TFLiteSchema.SubGraphField.operators) : []
      for (i, op) in subgraph.operators.enumerated() where op.opcodeIndex >= 0 && op.opcodeIndex < file.operatorCodes.count {
        let code = file.operatorCodes[op.opcodeIndex]
        guard TFLiteRecurrentWeights.layouts[code.code] != nil else { continue }
        let options = i < opTables.count ? opTables[i].table(TFLiteSchema.OperatorField.options) : nil
        // An op whose weights cannot go hybrid at all is refused tensor by tensor (canStore).
        guard case let .success(slots) = TFLiteRecurrentWeights.weightSlots(code: code.code, inputs: op.inputs, options: options)
        else { continue }
        let members = slots.compactMap { modelIndex[[s, op.inputs[$0]]] }
        let prefix = s == 0 ? "" : "\(subgraph.name)/"
        groups.append(JointTensorGroup(
          name: "\(prefix)\(code.name) #\(i)\(sharedNames(members, in: model))", members: members, accepted: "int8-tensor",
          unplannable: slots.count - members.count))
      }
    }
    return groups
  }

  /// " (a, b)" when the members share names (a model converted from Keras names an LSTM's gate
  /// matrices after the Keras kernel they were cut from): the names a plan has to cover.
  static func sharedNames(_ members: [Int], in model: Model) -> String {
    var seen: Set<String> = []
    let names = members.compactMap { $0 < model.tensors.count ? model.tensors[$0].name : nil }.filter { seen.insert($0).inserted }
    return names.count < members.count && !names.isEmpty ? " (\(names.joined(separator: ", ")))" : ""
  }
}

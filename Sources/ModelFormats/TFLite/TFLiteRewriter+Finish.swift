import TensorCore

extension TFLiteRewriter {
  /// Removes DEQUANTIZE ops nobody reads any more, fixes op versions, empties buffers that lost
  /// their last user, updates min_runtime_version, and returns the new model tree.
  mutating func finish() -> FlatBufferTable {
    removeDeadDequantizes()
    updateVersions()
    emptyOrphanBuffers()
    updateMinRuntimeVersion()
    var subgraphTables: [FlatBufferTable] = []
    for graph in graphs {
      var table = graph.table
      table.fields[TFLiteSchema.SubGraphField.tensors] = .tables(graph.tensors)
      var ops: [FlatBufferTable] = graph.prepend.map(Self.encode)
      for op in graph.ops where !op.removed {
        ops.append(Self.encode(op))
        ops.append(contentsOf: op.after.map(Self.encode))
      }
      table.fields[TFLiteSchema.SubGraphField.operators] = .tables(ops)
      subgraphTables.append(table)
    }
    var model = root
    model.fields[TFLiteSchema.ModelField.subgraphs] = .tables(subgraphTables)
    model.fields[TFLiteSchema.ModelField.buffers] = .tables(buffers)
    model.fields[TFLiteSchema.ModelField.operatorCodes] = .tables(opcodes)
    return model
  }

  static func encode(_ op: OpState) -> FlatBufferTable {
    var table = op.table
    let original = op.original
    if original?.opcode != op.opcode {
      table.setScalar(TFLiteSchema.OperatorField.opcodeIndex, bits: UInt64(op.opcode), size: 4)
    }
    if original?.inputs != op.inputs {
      table.fields[TFLiteSchema.OperatorField.inputs] = .vector(.owned(le(op.inputs.map { Int32($0) })), elementSize: 4, alignment: 4)
    }
    if original?.outputs != op.outputs {
      table.fields[TFLiteSchema.OperatorField.outputs] = .vector(.owned(le(op.outputs.map { Int32($0) })), elementSize: 4, alignment: 4)
    }
    return table
  }

  mutating func removeDeadDequantizes() {
    for s in graphs.indices {
      for i in graphs[s].ops.indices where !graphs[s].ops[i].removed && graphs[s].ops[i].touched {
        let op = graphs[s].ops[i]
        guard code(op) == TFLiteSchema.Op.dequantize, let out = op.outputs.first else { continue }
        if readers(s, out).isEmpty && !readByExtraOps(s, out) && !graphs[s].outputs.contains(out) {
          graphs[s].ops[i].removed = true
        }
      }
    }
  }

  func signature(_ s: Int, _ op: OpState) -> TFLiteOpVersions.Signature {
    let weightSlot = code(op) == TFLiteSchema.Op.dequantize || code(op) == TFLiteSchema.Op.gather ? 0 : 1
    let weight = weightSlot < op.inputs.count ? op.inputs[weightSlot] : -1
    let shapes = file.subgraphs[s].tensors
    func depth(_ t: Int) -> Int? { t >= 0 && t < shapes.count ? shapes[t].shape.last : nil }
    let input = op.inputs.first ?? -1
    let grouped = code(op) == TFLiteSchema.Op.conv2D && depth(input) != nil && depth(weight) != nil && depth(input) != depth(weight)
    return .init(
      code: code(op), inputTypes: op.inputs.map { $0 < 0 ? nil : type(s, $0) },
      outputType: op.outputs.first.flatMap { type(s, $0) }, weightPerChannel: scaleCount(s, weight) > 1,
      options: op.table.table(TFLiteSchema.OperatorField.options), groupedConvolution: grouped)
  }

  /// Like the converter, one OperatorCode per builtin carries the highest version its ops need.
  mutating func updateVersions() {
    var needed: [Int: Int32] = [:]
    var touchedCodes: Set<Int> = []
    let original = file.operatorCodes.map(\.version)
    for s in graphs.indices {
      let all = graphs[s].prepend + graphs[s].ops.filter { !$0.removed }.flatMap { [$0] + $0.after }
      for op in all {
        if op.touched { touchedCodes.insert(op.opcode) }
        let fallback = op.opcode < original.count ? original[op.opcode] : 1
        let version = TFLiteOpVersions.version(signature(s, op)) ?? fallback
        needed[op.opcode] = max(needed[op.opcode] ?? 1, version)
      }
    }
    for index in touchedCodes where index < opcodes.count {
      opcodes[index].setScalar(TFLiteSchema.OpCodeField.version, bits: UInt64(UInt32(bitPattern: needed[index] ?? 1)), size: 4)
    }
  }

  mutating func emptyOrphanBuffers() {
    var used: Set<Int> = [0]
    for graph in graphs {
      for tensor in graph.tensors { used.insert(Int(tensor.uint32(TFLiteSchema.TensorField.buffer))) }
    }
    for entry in file.metadata { used.insert(entry.buffer) }
    for index in orphanCandidates where !used.contains(index) && index < buffers.count {
      buffers[index] = FlatBufferTable(type: "Buffer")
    }
  }

  mutating func updateMinRuntimeVersion() {
    guard let entry = file.metadata.first(where: { $0.name == "min_runtime_version" }), entry.buffer < buffers.count else { return }
    var version = "1.5.0"
    var allKnown = true
    for op in opcodes.indices {
      let used = graphs.contains { g in g.prepend.contains { $0.opcode == op } || g.ops.contains { !$0.removed && ($0.opcode == op || $0.after.contains { $0.opcode == op }) } }
      guard used else { continue }
      let v = opcodes[op].int32(TFLiteSchema.OpCodeField.version, default: 1)
      if let needed = TFLiteOpVersions.runtimeVersion(code: codes[op], version: v) {
        if TFLiteOpVersions.isLess(version, needed) { version = needed }
      } else {
        allKnown = false
      }
    }
    if !allKnown, let current = file.minRuntimeVersion, TFLiteOpVersions.isLess(version, current) { version = current }
    var bytes = Array(version.utf8)
    let padded = max(16, (bytes.count + 1 + 15) / 16 * 16)
    bytes += [UInt8](repeating: 0, count: padded - bytes.count)
    guard file.metadataBytes(named: "min_runtime_version") != bytes else { return }
    var buffer = FlatBufferTable(type: "Buffer")
    buffer.fields[TFLiteSchema.BufferField.data] = .vector(.owned(bytes), elementSize: 1, alignment: 16)
    buffers[entry.buffer] = buffer
  }
}

import TensorCore

/// Turns a ``ConvertedGraph`` into a .tflite FlatBuffer: only tensors some op or signature uses,
/// one buffer per constant (buffer 0 is the empty sentinel), op versions as the converter's
/// versioning rules give them, a `serving_default` signature and `min_runtime_version`.
extension ConvertedGraph {
  /// The tensors written, in file order, and where each graph tensor went. Identical constants
  /// become one tensor, as the converter's constant folding leaves them; tensors are kept in
  /// first-use order: graph inputs, then op by op.
  func exportOrder() -> (order: [Int], remap: [Int: Int], canonical: [Int: Int]) {
    let canonical = duplicateConstants()
    func resolved(_ t: Int) -> Int { t < 0 ? t : canonical[t] ?? t }
    var remap: [Int: Int] = [:]
    var order: [Int] = []
    func keep(_ t: Int) {
      let t = resolved(t)
      guard t >= 0, remap[t] == nil, t < tensors.count else { return }
      remap[t] = order.count
      order.append(t)
    }
    for input in inputs { keep(input.tensor) }
    for op in ops { op.inputs.forEach(keep); op.outputs.forEach(keep) }
    for output in outputs { keep(output.tensor) }
    return (order, remap, canonical)
  }

  /// File tensor index → the Keras variable it holds.
  func exportedSources() -> [Int: String] {
    var result: [Int: String] = [:]
    for (index, t) in exportOrder().order.enumerated() {
      if let source = tensors[t].source { result[index] = source }
    }
    return result
  }

  func serialize(description: String) throws(FlatBufferError) -> [UInt8] {
    let (order, remap, canonical) = exportOrder()
    func resolved(_ t: Int) -> Int { t < 0 ? t : canonical[t] ?? t }
    func mapped(_ list: [Int]) -> [Int32] { list.map { $0 < 0 ? -1 : Int32(remap[resolved($0)] ?? 0) } }
    let names = exportNames(order: order, canonical: canonical)

    // Every tensor has a buffer of its own, empty for run-time tensors (the converter's layout).
    var buffers = [FlatBufferTable(type: "Buffer")]
    var tensorTables: [FlatBufferTable] = []
    for t in order {
      let tensor = tensors[t]
      var table = FlatBufferTable(type: "Tensor")
      table.fields[0] = int32Vector(tensor.shape.map { Int32(truncatingIfNeeded: $0) })
      table.setScalar(1, bits: UInt64(UInt8(bitPattern: tensor.type.rawValue)), size: 1)
      var buffer = FlatBufferTable(type: "Buffer")
      if let data = tensor.data {
        let bytes: [UInt8]
        switch data {
        case let .floats(values): bytes = ConvertedGraph.bytes(values)
        case let .int32s(values): bytes = ConvertedGraph.bytes(values)
        }
        buffer.fields[0] = .vector(.owned(bytes), elementSize: 1, alignment: 16)
      }
      if tensor.isVariable {
        // State tensors have no data; the converter points them at the empty buffer 0.
        table.setScalar(5, bits: 1, size: 1)
      } else {
        table.setScalar(2, bits: UInt64(buffers.count), size: 4)
        buffers.append(buffer)
      }
      table.fields[3] = .string(.owned(Array((names[t] ?? tensor.name).utf8)))
      if tensor.dynamicBatch {
        table.fields[7] = int32Vector([-1] + tensor.shape.dropFirst().map { Int32(truncatingIfNeeded: $0) })
      }
      tensorTables.append(table)
    }

    var codes: [(code: Int32, version: Int32)] = []
    var opTables: [FlatBufferTable] = []
    for op in ops {
      let version = opVersion(op)
      let index = codes.firstIndex { $0.code == op.code && $0.version == version } ?? {
        codes.append((op.code, version)); return codes.count - 1
      }()
      var table = FlatBufferTable(type: "Operator")
      table.setScalar(0, bits: UInt64(index), size: 4)
      table.fields[1] = int32Vector(mapped(op.inputs))
      table.fields[2] = int32Vector(mapped(op.outputs))
      if let options = op.options, op.optionsTag != 0 {
        table.setScalar(3, bits: UInt64(op.optionsTag), size: 1)
        table.fields[4] = .table(options)
      }
      opTables.append(table)
    }
    let codeTables = codes.map { entry -> FlatBufferTable in
      var table = FlatBufferTable(type: "OperatorCode")
      table.setScalar(0, bits: UInt64(UInt8(truncatingIfNeeded: min(entry.code, 127))), size: 1)
      table.setScalar(2, bits: UInt64(UInt32(bitPattern: entry.version)), size: 4)
      table.setScalar(3, bits: UInt64(UInt32(bitPattern: entry.code)), size: 4)
      return table
    }

    var subgraph = FlatBufferTable(type: "SubGraph")
    subgraph.fields[0] = .tables(tensorTables)
    subgraph.fields[1] = int32Vector(mapped(inputs.map(\.tensor)))
    subgraph.fields[2] = int32Vector(mapped(outputs.map(\.tensor)))
    subgraph.fields[3] = .tables(opTables)
    subgraph.fields[4] = .string(.owned(Array("main".utf8)))

    var signature = FlatBufferTable(type: "SignatureDef")
    signature.fields[0] = .tables(inputs.map { tensorMap($0.name, remap[resolved($0.tensor)] ?? 0) })
    signature.fields[1] = .tables(outputs.map { tensorMap($0.name, remap[resolved($0.tensor)] ?? 0) })
    signature.fields[2] = .string(.owned(Array("serving_default".utf8)))
    signature.setScalar(4, bits: 0, size: 4)

    var runtime = Array(minRuntimeVersion(codes).utf8.prefix(16))
    runtime += [UInt8](repeating: 0, count: 16 - runtime.count)
    var runtimeBuffer = FlatBufferTable(type: "Buffer")
    runtimeBuffer.fields[0] = .vector(.owned(runtime), elementSize: 1, alignment: 16)
    var metadata = FlatBufferTable(type: "Metadata")
    metadata.fields[0] = .string(.owned(Array("min_runtime_version".utf8)))
    metadata.setScalar(1, bits: UInt64(buffers.count), size: 4)
    buffers.append(runtimeBuffer)
    var conversionBuffer = FlatBufferTable(type: "Buffer")
    conversionBuffer.fields[0] = .vector(.owned(try ConvertedGraph.conversionMetadata()), elementSize: 1, alignment: 16)
    var conversion = FlatBufferTable(type: "Metadata")
    conversion.fields[0] = .string(.owned(Array("CONVERSION_METADATA".utf8)))
    conversion.setScalar(1, bits: UInt64(buffers.count), size: 4)
    buffers.append(conversionBuffer)

    var model = FlatBufferTable(type: "Model")
    model.setScalar(0, bits: 3, size: 4)
    model.fields[1] = .tables(codeTables)
    model.fields[2] = .tables([subgraph])
    model.fields[3] = .string(.owned(Array(description.utf8)))
    model.fields[4] = .tables(buffers)
    model.fields[6] = .tables([metadata, conversion])
    model.fields[7] = .tables([signature])
    let capacity = order.reduce(1 << 16) { total, t in
      switch tensors[t].data {
      case let .floats(values)?: return total + values.count * 4 + 64
      case let .int32s(values)?: return total + values.count * 4 + 64
      case nil: return total + 128 + (tensors[t].name.utf8.count + 16) * 4
      }
    }
    var encoder = FlatBufferEncoder(schema: TFLiteSchema.schema, source: UnsafeRawBufferPointer(start: nil, count: 0),
                                    capacity: capacity)
    return try encoder.finish(root: model, identifier: TFLiteSchema.identifier)
  }

  func int32Vector(_ values: [Int32]) -> FlatBufferValue {
    .vector(.owned(ConvertedGraph.bytes(values)), elementSize: 4, alignment: 4)
  }

  func tensorMap(_ name: String, _ index: Int) -> FlatBufferTable {
    var table = FlatBufferTable(type: "TensorMap")
    table.fields[0] = .string(.owned(Array(name.utf8)))
    table.setScalar(1, bits: UInt64(index), size: 4)
    return table
  }

  /// The version op_version.cc gives a float op of this shape.
  func opVersion(_ op: Op) -> Int32 {
    let types = op.inputs.map { $0 < 0 ? nil : tensors[$0].type } as [TFLiteSchema.TensorType?]
    // A grouped CONV_2D (filter shallower than its input) is version 6, as op_version.cc says.
    var grouped = false
    if op.code == ConvertedOps.conv2D, op.inputs.count > 1, op.inputs[0] >= 0, op.inputs[1] >= 0 {
      grouped = tensors[op.inputs[0]].shape.last != tensors[op.inputs[1]].shape.last
    }
    let signature = TFLiteOpVersions.Signature(
      code: op.code, inputTypes: types, outputType: op.outputs.first.map { tensors[$0].type },
      weightPerChannel: false, options: op.options, groupedConvolution: grouped)
    if let version = TFLiteOpVersions.version(signature) { return version }
    switch op.code {
    case ConvertedOps.resizeBilinear, ConvertedOps.resizeNearest:
      return (op.options?.bool(op.code == ConvertedOps.resizeBilinear ? 3 : 1) ?? false) ? 3 : 1
    default:
      return 1
    }
  }

  /// The newest minimum runtime among the ops used (versions we have no table for count as 1.14.0).
  func minRuntimeVersion(_ codes: [(code: Int32, version: Int32)]) -> String {
    var best = "1.5.0"
    for entry in codes {
      let needed = TFLiteOpVersions.runtimeVersion(code: entry.code, version: entry.version) ?? "1.14.0"
      if TFLiteOpVersions.isLess(best, needed) { best = needed }
    }
    return best
  }
}

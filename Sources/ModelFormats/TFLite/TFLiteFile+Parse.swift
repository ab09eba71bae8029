import TensorCore

extension TFLiteFile {
  /// Maps, verifies and parses a .tflite file. Every structural problem becomes one FormatError
  /// naming the file, the part and the offset.
  public static func parse(path: String) throws(FormatError) -> TFLiteFile {
    let file: MappedFile
    do { file = try MappedFile(path: path) } catch { throw .io(error) }
    return try parse(file: file, path: path)
  }

  static func parse(file: MappedFile, path: String) throws(FormatError) -> TFLiteFile {
    var decoder = FlatBufferDecoder(bytes: file.bytes, schema: TFLiteSchema.schema)
    let root: FlatBufferTable
    do {
      root = try decoder.decodeRoot(type: "Model", identifier: TFLiteSchema.identifier)
    } catch {
      throw formatError(error, file: path)
    }
    var parser = Parser(path: path, file: file, root: root)
    return try parser.run()
  }

  static func formatError(_ error: FlatBufferError, file: String) -> FormatError {
    switch error {
    case let .badIdentifier(expected, found):
      return .invalid(file: file, what: "TFLite header", offset: 4,
                      reason: "file identifier is '\(found)', expected '\(expected)' (not a .tflite FlatBuffer)")
    case let .outOfRange(what, offset, needed, available):
      return .truncated(file: file, what: what, offset: offset, needed: needed, available: available)
    case .unsupported(let what, let reason):
      return .unsupported(file: file, what: what, reason: reason)
    default:
      return .invalid(file: file, what: "FlatBuffer", offset: error.offset, reason: error.description)
    }
  }
}

/// Turns the verified tree into typed views, checking the TFLite-level rules (indices in range,
/// buffers inside the file, data sizes and quantization parameters matching shapes).
private struct Parser {
  let path: String
  let file: MappedFile
  let root: FlatBufferTable

  func int32s(_ table: FlatBufferTable, _ id: Int) -> [Int32] {
    guard let bytes = table.vectorBytes(id) else { return [] }
    if case let .owned(array) = bytes { return array.withUnsafeBytes { Parser.decodeInt32s($0) } }
    guard let raw = bytes.resolve(in: file.bytes) else { return [] }
    return Parser.decodeInt32s(raw)
  }

  static func decodeInt32s(_ raw: UnsafeRawBufferPointer) -> [Int32] {
    (0..<(raw.count / 4)).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
  }

  func string(_ table: FlatBufferTable, _ id: Int) -> String? {
    guard let bytes = table.stringBytes(id) else { return nil }
    return String(decoding: bytes.array(in: file.bytes), as: UTF8.self)
  }

  func bad(_ what: String, _ table: FlatBufferTable?, _ reason: String) -> FormatError {
    .invalid(file: path, what: what, offset: table?.offset, reason: reason)
  }

  mutating func run() throws(FormatError) -> TFLiteFile {
    let version = root.uint32(TFLiteSchema.ModelField.version)
    guard version == 3 else { throw bad("Model.version", root, "is \(version); LiteRT only loads version 3") }
    let buffers = try parseBuffers()
    let codes = root.tables(TFLiteSchema.ModelField.operatorCodes).map { table -> TFLiteFile.OperatorCode in
      let deprecated = Int32(table.int8(TFLiteSchema.OpCodeField.deprecatedCode))
      let builtin = table.int32(TFLiteSchema.OpCodeField.builtinCode)
      return .init(code: max(deprecated, builtin), customCode: string(table, TFLiteSchema.OpCodeField.customCode),
                   version: table.int32(TFLiteSchema.OpCodeField.version, default: 1))
    }
    let subgraphTables = root.tables(TFLiteSchema.ModelField.subgraphs)
    guard !subgraphTables.isEmpty else { throw bad("Model.subgraphs", root, "the model has no subgraphs") }
    var subgraphs: [TFLiteFile.Subgraph] = []
    for (index, table) in subgraphTables.enumerated() {
      subgraphs.append(try parseSubgraph(table, index: index, buffers: buffers, opcodeCount: codes.count))
    }
    var metadata: [(name: String, buffer: Int)] = []
    for table in root.tables(TFLiteSchema.ModelField.metadata) {
      let name = string(table, TFLiteSchema.MetadataField.name) ?? ""
      let buffer = Int(table.uint32(TFLiteSchema.MetadataField.buffer))
      guard buffer < buffers.count else {
        throw bad("metadata '\(name)'", table, "buffer index \(buffer) is out of range (\(buffers.count) buffers)")
      }
      metadata.append((name, buffer))
    }
    var signatures: [TFLiteFile.Signature] = []
    for table in root.tables(TFLiteSchema.ModelField.signatureDefs) {
      let key = string(table, TFLiteSchema.SignatureField.key) ?? ""
      let sg = Int(table.uint32(TFLiteSchema.SignatureField.subgraphIndex))
      guard sg < subgraphs.count else { throw bad("signature '\(key)'", table, "subgraph \(sg) does not exist") }
      func maps(_ id: Int) throws(FormatError) -> [(name: String, tensor: Int)] {
        var result: [(name: String, tensor: Int)] = []
        for map in table.tables(id) {
          let index = Int(map.uint32(TFLiteSchema.TensorMapField.tensorIndex))
          guard index < subgraphs[sg].tensors.count else {
            throw bad("signature '\(key)'", map, "tensor index \(index) is out of range")
          }
          result.append((string(map, TFLiteSchema.TensorMapField.name) ?? "", index))
        }
        return result
      }
      signatures.append(.init(key: key, subgraph: sg, inputs: try maps(TFLiteSchema.SignatureField.inputs),
                              outputs: try maps(TFLiteSchema.SignatureField.outputs)))
    }
    return TFLiteFile(path: path, file: file, root: root, operatorCodes: codes, subgraphs: subgraphs, buffers: buffers,
                      metadata: metadata, signatures: signatures,
                      description: string(root, TFLiteSchema.ModelField.description))
  }

  func parseBuffers() throws(FormatError) -> [TFLiteFile.BufferRange] {
    guard root.fields[TFLiteSchema.ModelField.buffers] != nil else {
      throw bad("Model.buffers", root, "the model has no buffer list")
    }
    var result: [TFLiteFile.BufferRange] = []
    for (index, table) in root.tables(TFLiteSchema.ModelField.buffers).enumerated() {
      if case let .source(offset, count)? = table.vectorBytes(TFLiteSchema.BufferField.data), count > 0 {
        result.append(.init(offset: offset, count: count, isExternal: false))
        continue
      }
      let offset = table.uint64(TFLiteSchema.BufferField.offset)
      let size = table.uint64(TFLiteSchema.BufferField.size)
      if offset > 1 {
        guard let start = Checked.int(offset), let count = Checked.int(size), let end = Checked.add(start, count),
          end <= file.count
        else {
          throw FormatError.truncated(file: path, what: "buffer \(index) (Buffer.offset/size)", offset: Int(clamping: offset),
                                      needed: Int(clamping: size), available: max(0, file.count - Int(clamping: offset)))
        }
        result.append(.init(offset: start, count: count, isExternal: true))
      } else {
        result.append(.init(offset: 0, count: 0, isExternal: false))
      }
    }
    return result
  }

  func parseSubgraph(
    _ table: FlatBufferTable, index: Int, buffers: [TFLiteFile.BufferRange], opcodeCount: Int
  ) throws(FormatError) -> TFLiteFile.Subgraph {
    var tensors: [TFLiteFile.Tensor] = []
    for (t, tensorTable) in table.tables(TFLiteSchema.SubGraphField.tensors).enumerated() {
      tensors.append(try parseTensor(tensorTable, index: t, buffers: buffers))
    }
    func check(_ list: [Int32], _ what: String, allowOptional: Bool) throws(FormatError) -> [Int] {
      var result: [Int] = []
      for value in list {
        guard (allowOptional && value == -1) || (value >= 0 && Int(value) < tensors.count) else {
          throw bad(what, table, "tensor index \(value) is out of range (\(tensors.count) tensors)")
        }
        result.append(Int(value))
      }
      return result
    }
    var operators: [TFLiteFile.Operator] = []
    for (i, opTable) in table.tables(TFLiteSchema.SubGraphField.operators).enumerated() {
      let opcode = Int(opTable.uint32(TFLiteSchema.OperatorField.opcodeIndex))
      guard opcode < opcodeCount else {
        throw bad("operator \(i)", opTable, "opcode index \(opcode) is out of range (\(opcodeCount) operator codes)")
      }
      operators.append(.init(
        opcodeIndex: opcode,
        inputs: try check(int32s(opTable, TFLiteSchema.OperatorField.inputs), "operator \(i) inputs", allowOptional: true),
        outputs: try check(int32s(opTable, TFLiteSchema.OperatorField.outputs), "operator \(i) outputs", allowOptional: true)))
    }
    return .init(
      name: string(table, TFLiteSchema.SubGraphField.name) ?? "subgraph \(index)", tensors: tensors, operators: operators,
      inputs: try check(int32s(table, TFLiteSchema.SubGraphField.inputs), "subgraph inputs", allowOptional: false),
      outputs: try check(int32s(table, TFLiteSchema.SubGraphField.outputs), "subgraph outputs", allowOptional: false))
  }

  func parseTensor(_ table: FlatBufferTable, index: Int, buffers: [TFLiteFile.BufferRange]) throws(FormatError) -> TFLiteFile.Tensor {
    let name = string(table, TFLiteSchema.TensorField.name) ?? "tensor_\(index)"
    let shape = int32s(table, TFLiteSchema.TensorField.shape).map(Int.init)
    let rawType = table.int8(TFLiteSchema.TensorField.type)
    let type = TFLiteSchema.TensorType(rawValue: rawType)
    let buffer = Int(table.uint32(TFLiteSchema.TensorField.buffer))
    guard buffer < buffers.count else {
      throw FormatError.badTensor(file: path, tensor: name, offset: table.offset,
                                  reason: "buffer index \(buffer) is out of range (\(buffers.count) buffers)")
    }
    let isSparse = table.table(TFLiteSchema.TensorField.sparsity) != nil
    let range = buffers[buffer]
    if range.count > 0, !isSparse, let dtype = type?.dtype {
      guard shape.allSatisfy({ $0 >= 0 }), let elements = Shape.elementCount(shape),
        let expected = dtype.byteCount(elements: elements)
      else {
        throw FormatError.badTensor(file: path, tensor: name, offset: table.offset, reason: "invalid shape \(shape)")
      }
      guard expected == range.count else {
        throw FormatError.badTensor(file: path, tensor: name, offset: range.offset,
          reason: "buffer \(buffer) holds \(range.count) bytes but shape \(Shape.describe(shape)) of \(dtype.rawValue) needs \(expected)")
      }
    }
    var quantization: StoredQuantization? = nil
    if let q = table.table(TFLiteSchema.TensorField.quantization) {
      let scales = floats(q, TFLiteSchema.QuantField.scale)
      let zeroPoints = int64s(q, TFLiteSchema.QuantField.zeroPoint)
      let dim = Int(q.int32(TFLiteSchema.QuantField.quantizedDimension))
      if !scales.isEmpty {
        if scales.count > 1 {
          guard dim >= 0, dim < shape.count, shape[dim] == scales.count else {
            throw FormatError.badTensor(file: path, tensor: name, offset: q.offset,
              reason: "\(scales.count) quantization scales do not match shape \(Shape.describe(shape)) at quantized_dimension \(dim)")
          }
        }
        guard zeroPoints.isEmpty || zeroPoints.count == scales.count else {
          throw FormatError.badTensor(file: path, tensor: name, offset: q.offset,
            reason: "\(zeroPoints.count) zero points for \(scales.count) scales")
        }
        quantization = StoredQuantization(
          scales: scales, zeroPoints: zeroPoints.isEmpty ? [Int64](repeating: 0, count: scales.count) : zeroPoints,
          axis: scales.count > 1 ? dim : nil)
      }
    }
    return .init(name: name, shape: shape, rawType: rawType, type: type, buffer: buffer, quantization: quantization,
                 isSparse: isSparse, isVariable: table.bool(TFLiteSchema.TensorField.isVariable))
  }

  func floats(_ table: FlatBufferTable, _ id: Int) -> [Float] {
    int32s(table, id).map { Float(bitPattern: UInt32(bitPattern: $0)) }
  }

  func int64s(_ table: FlatBufferTable, _ id: Int) -> [Int64] {
    guard let raw = table.vectorBytes(id)?.resolve(in: file.bytes) else { return [] }
    return (0..<(raw.count / 8)).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
  }
}

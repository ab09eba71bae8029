import TensorCore

/// Edits a decoded TFLite tree in place: re-encodes weights, adds or removes DEQUANTIZE ops,
/// splits shared buffers, and fixes op versions. Existing tensor indices never change; new tensors
/// and buffers are appended, so subgraph inputs/outputs and signatures stay valid.
struct TFLiteRewriter {
  struct OpState {
    var table: FlatBufferTable
    var opcode: Int
    var inputs: [Int]
    var outputs: [Int]
    var removed = false
    var touched = false
    /// Ops to run right after this one (DEQUANTIZE of a GATHER's int8 output).
    var after: [OpState] = []
    /// What the file said, for ops read from it (nil for new ops): an op whose opcode, inputs and
    /// outputs did not change keeps its table as decoded, so a preserving write can refer to it.
    var original: Wiring?

    struct Wiring: Equatable {
      var opcode: Int
      var inputs: [Int]
      var outputs: [Int]
    }
  }

  struct Graph {
    var table: FlatBufferTable
    var tensors: [FlatBufferTable]
    var ops: [OpState]
    var outputs: Set<Int>
    /// New DEQUANTIZE ops for constants; run before everything else, as the converter places them.
    var prepend: [OpState] = []
    /// Weight tensor → the float tensor its new DEQUANTIZE produces.
    var dequantized: [Int: Int] = [:]
  }

  let file: TFLiteFile
  var root: FlatBufferTable
  var buffers: [FlatBufferTable]
  var opcodes: [FlatBufferTable]
  var codes: [Int32]
  var graphs: [Graph]
  /// Buffers that lost a user; emptied at the end when nothing else refers to them.
  var orphanCandidates: Set<Int> = []
  var rewrittenTensors: Set<[Int]> = []

  init(file: TFLiteFile) {
    self.file = file
    root = file.root
    buffers = file.root.tables(TFLiteSchema.ModelField.buffers)
    // Data after the FlatBuffer (Buffer.offset/size) is placed anew when writing: refer to it as
    // ordinary data; the writer decides where it goes.
    for (index, range) in file.buffers.enumerated() where range.isExternal && index < buffers.count {
      var buffer = FlatBufferTable(type: "Buffer")
      buffer.fields[TFLiteSchema.BufferField.data] = .vector(.source(offset: range.offset, count: range.count),
                                                             elementSize: 1, alignment: 16)
      buffers[index] = buffer
    }
    opcodes = file.root.tables(TFLiteSchema.ModelField.operatorCodes)
    codes = file.operatorCodes.map(\.code)
    let subgraphTables = file.root.tables(TFLiteSchema.ModelField.subgraphs)
    graphs = file.subgraphs.enumerated().map { s, sg in
      let table = subgraphTables[s]
      let opTables = table.tables(TFLiteSchema.SubGraphField.operators)
      let ops = sg.operators.enumerated().map { i, op in
        OpState(table: Self.inlineLargeCustomOptions(opTables[i], fileSize: file.file.count), opcode: op.opcodeIndex,
                inputs: op.inputs, outputs: op.outputs,
                original: .init(opcode: op.opcodeIndex, inputs: op.inputs, outputs: op.outputs))
      }
      return Graph(table: table, tensors: table.tables(TFLiteSchema.SubGraphField.tensors), ops: ops,
                   outputs: Set(sg.outputs))
    }
  }

  /// Custom options stored after the FlatBuffer (Operator.large_custom_options_offset/size, file
  /// offsets that would be wrong in the rewritten file) become ordinary inline custom_options.
  static func inlineLargeCustomOptions(_ table: FlatBufferTable, fileSize: Int) -> FlatBufferTable {
    let offset = table.uint64(TFLiteSchema.OperatorField.largeCustomOptionsOffset)
    let size = table.uint64(TFLiteSchema.OperatorField.largeCustomOptionsSize)
    guard offset > 1, let start = Checked.int(offset), let count = Checked.int(size),
      let end = Checked.add(start, count), end <= fileSize
    else { return table }
    var copy = table
    copy.fields[TFLiteSchema.OperatorField.largeCustomOptionsOffset] = nil
    copy.fields[TFLiteSchema.OperatorField.largeCustomOptionsSize] = nil
    copy.fields[TFLiteSchema.OperatorField.customOptions] = .vector(.source(offset: start, count: count), elementSize: 1, alignment: 1)
    return copy
  }

  // MARK: Reading the current state

  func type(_ s: Int, _ t: Int) -> TFLiteSchema.TensorType? {
    guard t >= 0, t < graphs[s].tensors.count else { return nil }
    return TFLiteSchema.TensorType(rawValue: graphs[s].tensors[t].int8(TFLiteSchema.TensorField.type))
  }

  func scaleCount(_ s: Int, _ t: Int) -> Int {
    guard t >= 0, t < graphs[s].tensors.count,
      let q = graphs[s].tensors[t].table(TFLiteSchema.TensorField.quantization),
      let scales = q.vectorBytes(TFLiteSchema.QuantField.scale)
    else { return 0 }
    return scales.count / 4
  }

  func code(_ op: OpState) -> Int32 { op.opcode < codes.count ? codes[op.opcode] : -1 }

  /// (op, slot) pairs reading tensor `t` among live ops (including prepended and trailing ones).
  func readers(_ s: Int, _ t: Int) -> [(op: Int, slot: Int)] {
    var result: [(op: Int, slot: Int)] = []
    for (i, op) in graphs[s].ops.enumerated() where !op.removed {
      for (slot, input) in op.inputs.enumerated() where input == t { result.append((i, slot)) }
    }
    return result
  }

  /// Whether anything other than ops in `graphs[s].ops` reads `t` (new DEQUANTIZEs, trailing ops).
  func readByExtraOps(_ s: Int, _ t: Int) -> Bool {
    if graphs[s].prepend.contains(where: { $0.inputs.contains(t) }) { return true }
    return graphs[s].ops.contains { !$0.removed && $0.after.contains { $0.inputs.contains(t) } }
  }

  // MARK: Building blocks

  static func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(values.count * MemoryLayout<T>.size)
    for value in values { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    return bytes
  }

  static func quantizationTable(scales: [Float], zeroPoints: [Int64], axis: Int) -> FlatBufferTable {
    var q = FlatBufferTable(type: "QuantizationParameters")
    q.fields[TFLiteSchema.QuantField.scale] = .vector(.owned(le(scales.map(\.bitPattern))), elementSize: 4, alignment: 4)
    q.fields[TFLiteSchema.QuantField.zeroPoint] = .vector(.owned(le(zeroPoints)), elementSize: 8, alignment: 8)
    if axis != 0 { q.setScalar(TFLiteSchema.QuantField.quantizedDimension, bits: UInt64(UInt32(truncatingIfNeeded: axis)), size: 4) }
    return q
  }

  mutating func appendBuffer(_ bytes: [UInt8]) -> Int {
    var buffer = FlatBufferTable(type: "Buffer")
    buffer.fields[TFLiteSchema.BufferField.data] = .vector(.owned(bytes), elementSize: 1, alignment: 16)
    buffers.append(buffer)
    return buffers.count - 1
  }

  /// Appends a non-constant float32 tensor named `name` with `shape`; returns its index.
  mutating func appendFloatTensor(_ s: Int, name: String, like t: Int) -> Int {
    var tensor = FlatBufferTable(type: "Tensor")
    let source = graphs[s].tensors[t]
    tensor.fields[TFLiteSchema.TensorField.shape] = source.fields[TFLiteSchema.TensorField.shape]
    if let signature = source.fields[7] { tensor.fields[7] = signature }
    tensor.fields[TFLiteSchema.TensorField.name] = .string(.owned(Array(name.utf8)))
    graphs[s].tensors.append(tensor)
    return graphs[s].tensors.count - 1
  }

  func tensorName(_ s: Int, _ t: Int) -> String {
    guard let bytes = graphs[s].tensors[t].stringBytes(TFLiteSchema.TensorField.name) else { return "tensor_\(t)" }
    return String(decoding: bytes.array(in: file.file.bytes), as: UTF8.self)
  }

  /// The opcode index for builtin `code`, appending an OperatorCode when the model has none.
  mutating func opcodeIndex(for code: Int32) -> Int {
    if let index = codes.firstIndex(of: code) { return index }
    var table = FlatBufferTable(type: "OperatorCode")
    table.setScalar(TFLiteSchema.OpCodeField.deprecatedCode, bits: UInt64(min(code, 127)), size: 1)
    table.setScalar(TFLiteSchema.OpCodeField.builtinCode, bits: UInt64(UInt32(bitPattern: code)), size: 4)
    opcodes.append(table)
    codes.append(code)
    return codes.count - 1
  }

  mutating func makeDequantize(_ s: Int, from input: Int, to output: Int) -> OpState {
    let table = FlatBufferTable(type: "Operator")
    return OpState(table: table, opcode: opcodeIndex(for: TFLiteSchema.Op.dequantize), inputs: [input],
                   outputs: [output], touched: true)
  }
}

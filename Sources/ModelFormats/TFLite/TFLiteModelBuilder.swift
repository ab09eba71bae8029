import TensorCore

/// Turns a parsed ``TFLiteFile`` into the format-neutral ``Model``: every constant tensor with
/// data, grouped under the op that consumes it, one layer per op in execution order.
struct TFLiteModelBuilder {
  let file: TFLiteFile

  func build() throws(FormatError) -> Model {
    var tensors: [ModelTensor] = []
    var refs: [(subgraph: Int, tensor: Int)] = []
    var layers: [ModelLayer] = []
    for (s, subgraph) in file.subgraphs.enumerated() {
      let prefix = s == 0 ? "" : "\(subgraph.name)/"
      let consumers = subgraph.directConsumers()
      var layerTensors = [[Int]](repeating: [], count: subgraph.operators.count)
      for (t, tensor) in subgraph.tensors.enumerated() {
        let range = file.buffers[tensor.buffer]
        guard range.count > 0 else { continue }
        let uses = subgraph.realUses(of: t, codes: file.operatorCodes, consumers: consumers)
        let modelTensor = try makeTensor(tensor, range: range, uses: uses, subgraph: subgraph, prefix: prefix)
        if let first = uses.first { layerTensors[first.op].append(tensors.count) }
        tensors.append(modelTensor)
        refs.append((s, t))
      }
      for (i, op) in subgraph.operators.enumerated() {
        let code = file.operatorCodes[op.opcodeIndex]
        layers.append(ModelLayer(
          name: prefix + layerName(code, i), kind: code.name, tensorIndices: layerTensors[i],
          details: details(subgraph: s, op: i, code: code)))
      }
    }
    var metadata: [MetadataEntry] = []
    if let description = file.description { metadata.append(.init(key: "description", value: description)) }
    if let version = file.minRuntimeVersion { metadata.append(.init(key: "min_runtime_version", value: version)) }
    metadata.append(.init(key: "subgraphs", value: "\(file.subgraphs.count)"))
    metadata.append(.init(key: "operators", value: "\(file.subgraphs.reduce(0) { $0 + $1.operators.count })"))
    for signature in file.signatures {
      let ins = signature.inputs.map(\.name).joined(separator: ", ")
      let outs = signature.outputs.map(\.name).joined(separator: ", ")
      metadata.append(.init(key: "signature \(signature.key)", value: "(\(ins)) -> (\(outs))"))
    }
    let other = file.metadata.map(\.name).filter { $0 != "min_runtime_version" }
    if !other.isEmpty { metadata.append(.init(key: "metadata", value: other.joined(separator: ", "))) }
    let context = TFLiteContext(file: file, tensorRefs: refs)
    return Model(format: .tflite, path: file.path, fileBytes: file.file.count, tensors: tensors, layers: layers,
                 metadata: metadata, formatContext: context)
  }

  func layerName(_ code: TFLiteFile.OperatorCode, _ index: Int) -> String { "\(code.name) #\(index)" }

  func makeTensor(
    _ tensor: TFLiteFile.Tensor, range: TFLiteFile.BufferRange, uses: [TFLiteUse], subgraph: TFLiteFile.Subgraph,
    prefix: String
  ) throws(FormatError) -> ModelTensor {
    let location: TensorLocation
    do { location = try TensorLocation(file: file.file, offset: range.offset, byteCount: range.count) } catch {
      throw FormatError.from(error, file: file.path, reading: "tensor '\(tensor.name)'")
    }
    var dtype = tensor.type?.dtype ?? .u8
    var shape = tensor.shape
    var note: String? = nil
    if tensor.isSparse {
      // Only the non-zero values are stored; show them as a flat list.
      let size = dtype.bytesPerBlock
      shape = [range.count / max(size, 1)]
      note = "sparse tensor (DENSIFY): statistics cover the stored values only; kept as is when saving"
    } else if tensor.type?.dtype == nil {
      dtype = .u8
      shape = [range.count]
      note = "tensor type \(tensor.rawType) has no fixed-size elements; shown as raw bytes"
    }
    let first = uses.first
    let consumer = first.map { subgraph.operators[$0.op] }
    let code = consumer.map { file.operatorCodes[$0.opcodeIndex].code }
    let role = code.map { TFLiteOperandRoles.role(code: $0, slot: first?.slot ?? -1) } ?? .other
    let axis = code.map { TFLiteOperandRoles.channelAxis(code: $0, slot: first?.slot ?? -1, rank: shape.count) } ?? 0
    let weightType: Bool = [.f32, .f16, .i8, .i4].contains(dtype)
    let quantizable = (role == .weight || role == .embedding) && shape.count >= 2 && weightType && !tensor.isSparse
    var layer: String? = nil
    var opName: String? = nil
    if let first, let consumer {
      let opcode = file.operatorCodes[consumer.opcodeIndex]
      layer = prefix + layerName(opcode, first.op)
      opName = opcode.name
    }
    return ModelTensor(
      name: prefix + tensor.name, shape: shape, dtype: dtype, location: location, layer: layer, op: opName, role: role,
      isQuantizable: quantizable, channelAxis: axis,
      storedQuantization: [.i8, .i4, .u8, .i16].contains(dtype) ? tensor.quantization : nil, note: note)
  }

  /// Facts a user cares about for one op: version, activation, padding, strides, output name.
  func details(subgraph s: Int, op i: Int, code: TFLiteFile.OperatorCode) -> [String] {
    var result = ["version \(code.version)"]
    let subgraph = file.subgraphs[s]
    if let out = subgraph.operators[i].outputs.first, out >= 0 {
      result.append("output \(subgraph.tensors[out].name)")
    }
    let opTables = file.root.tables(TFLiteSchema.ModelField.subgraphs)[s].tables(TFLiteSchema.SubGraphField.operators)
    guard i < opTables.count, let options = opTables[i].table(TFLiteSchema.OperatorField.options) else { return result }
    let activations = ["none", "relu", "relu_n1_to_1", "relu6", "tanh", "sign_bit"]
    func activation(_ id: Int) {
      let value = Int(options.int8(id))
      if value != 0 { result.append("activation \(value < activations.count && value >= 0 ? activations[value] : "\(value)")") }
    }
    func padding(_ id: Int) { result.append("padding \(options.int8(id) == 0 ? "SAME" : "VALID")") }
    func strides(_ w: Int, _ h: Int) { result.append("strides \(options.int32(h))×\(options.int32(w))") }
    switch options.type {
    case "Conv2DOptions", "TransposeConvOptions": padding(0); strides(1, 2); activation(3)
    case "DepthwiseConv2DOptions": padding(0); strides(1, 2); activation(4)
    case "Pool2DOptions":
      padding(0); strides(1, 2); result.append("filter \(options.int32(4))×\(options.int32(3))"); activation(5)
    case "FullyConnectedOptions":
      activation(0)
      if options.bool(2) { result.append("keep_num_dims") }
      if options.bool(3) { result.append("asymmetric_quantize_inputs") }
    case "AddOptions", "MulOptions", "SubOptions", "DivOptions": activation(0)
    case "ConcatenationOptions": result.append("axis \(options.int32(0))"); activation(1)
    case "UnidirectionalSequenceLSTMOptions", "LSTMOptions":
      activation(0)
      let clip = Float(bitPattern: UInt32(truncatingIfNeeded: options.bits(1) ?? 0))
      if clip > 0 { result.append("cell_clip \(clip)") }
      if options.bool(4) { result.append("asymmetric_quantize_inputs") }
      if options.type == "UnidirectionalSequenceLSTMOptions", options.bool(3) { result.append("time_major") }
    default: break
    }
    return result
  }
}

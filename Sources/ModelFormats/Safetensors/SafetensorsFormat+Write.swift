import TensorCore

extension SafetensorsFormat {
  public static func write(
    _ model: Model, requests: [TensorWriteRequest], provider: QuantizedDataProvider, to path: String,
    options: WriteOptions
  ) throws(FormatError) -> [String] {
    let context = model.formatContext as? Context
    var notes: [String] = []
    let encodings = try checkedRequests(requests, model: model, path: path)
    var outputs: [OutputTensor] = []
    var quantizedModules: [(module: String, linear: LinearQuantization)] = []
    for (index, tensor) in model.tensors.enumerated() {
      guard let encoding = encodings[index] else {
        outputs.append(OutputTensor(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, byteCount: tensor.byteCount, source: .copy(index)))
        continue
      }
      if case let .linear(linear) = encoding {
        outputs += try packedOutputs(for: tensor, index: index, linear: linear, path: path)
        quantizedModules.append((String(tensor.name.dropLast(".weight".count)), linear))
      } else {
        let dtype: DType = encoding == .float32 ? .f32 : encoding == .float16 ? .f16 : .bf16
        guard let bytes = dtype.byteCount(elements: tensor.elementCount) else {
          throw .cannotStore(file: path, tensor: tensor.name, reason: "too many elements")
        }
        outputs.append(OutputTensor(name: tensor.name, dtype: dtype, shape: tensor.shape, byteCount: bytes, source: .cast(index)))
      }
    }
    let metadata = context?.metadata ?? model.metadata.map { (key: $0.key, value: $0.value) }
    let layout = try layout(outputs, metadata: metadata, path: path)
    let inputs = (context?.files ?? []) + [model.path] + (context?.indexPath.map { [$0] } ?? [])

    // Prepare config.json before touching the disk, so a problem with it stops the whole save.
    var config: ConfigUpdate?
    if !quantizedModules.isEmpty {
      config = try CompressedTensorsConfig.update(
        inputFolder: context?.folder ?? folder(of: model.path), outputPath: path, modules: quantizedModules,
        model: model, options: options, notes: &notes)
    }
    try stream(layout, model: model, provider: provider, encodings: encodings, to: path, inputs: inputs, metadata: metadata, options: options)
    if let config { try config.commit(overwrite: options.overwrite) }

    if let context, context.files.count > 1 {
      notes.append("the \(context.files.count) input shards were written as one file")
    }
    let halfPrecision = quantizedModules.contains { module in
      model.tensorIndex(named: module.module + ".weight").map { model.tensors[$0].dtype != .f32 } ?? false
    }
    if halfPrecision {
      notes.append("int weight scales are stored as F32 so they are exactly the engine's; loaders may round them to the model's dtype")
    }
    return notes
  }

  /// Validates the requests against the model and this format.
  static func checkedRequests(_ requests: [TensorWriteRequest], model: Model, path: String) throws(FormatError) -> [Int: QuantEncoding] {
    var encodings: [Int: QuantEncoding] = [:]
    for request in requests {
      guard model.tensors.indices.contains(request.tensorIndex) else {
        throw .invalid(file: path, what: "write request", offset: nil, reason: "tensor index \(request.tensorIndex) is out of range")
      }
      let tensor = model.tensors[request.tensorIndex]
      guard encodings[request.tensorIndex] == nil else {
        throw .cannotStore(file: path, tensor: tensor.name, reason: "requested twice")
      }
      if case let .notStorable(reason) = canStore(request.encoding, tensor: tensor, in: model) {
        throw .cannotStore(file: path, tensor: tensor.name, reason: reason)
      }
      encodings[request.tensorIndex] = request.encoding
    }
    return encodings
  }

  /// Shape of the scale tensor: [1] per tensor, [out, 1] per channel, [out, groups] per group.
  static func scaleShape(rows: Int, columns: Int, granularity: LinearQuantization.Granularity) -> [Int] {
    switch granularity {
    case .tensor: return [1]
    case .channel: return [rows, 1]
    case let .group(size): return [rows, (columns + size - 1) / size]
    }
  }

  /// The compressed-tensors tensors replacing `P.weight`: weight_packed, weight_scale, optional
  /// weight_zero_point, and weight_shape.
  static func packedOutputs(for tensor: ModelTensor, index: Int, linear: LinearQuantization, path: String) throws(FormatError) -> [OutputTensor] {
    let module = String(tensor.name.dropLast(".weight".count))
    let rows = tensor.shape[0], columns = tensor.shape[1]
    let words = CompressedTensorsPacking.wordCount(values: columns, bits: linear.bits)
    let scaleShape = scaleShape(rows: rows, columns: columns, granularity: linear.granularity)
    guard let packedBytes = Checked.multiply(rows, words).flatMap({ Checked.multiply($0, 4) }),
      let scaleCount = Shape.elementCount(scaleShape)
    else { throw .cannotStore(file: path, tensor: tensor.name, reason: "too many elements") }
    // Scales are F32 whatever the weight's dtype: our x̂ is (q − zp)·scale with the engine's float32
    // scale, and only an F32 scale lets a reader of the file reproduce it exactly.
    var outputs = [
      OutputTensor(name: module + ".weight_packed", dtype: .i32, shape: [rows, words], byteCount: packedBytes, source: .piece(index, .packed)),
      OutputTensor(name: module + ".weight_scale", dtype: .f32, shape: scaleShape, byteCount: scaleCount * 4, source: .piece(index, .scale)),
    ]
    if linear.asymmetric {
      if case .tensor = linear.granularity {
        // A single zero point is kept unpacked (compressed-tensors packs zero points only for
        // channel and group strategies); int8 holds every value of a ≤ 8-bit range.
        outputs.append(OutputTensor(name: module + ".weight_zero_point", dtype: .i8, shape: [1], byteCount: 1, source: .piece(index, .zeroPoint)))
      } else {
        let zpShape = [CompressedTensorsPacking.wordCount(values: rows, bits: linear.bits), scaleShape[1]]
        let zpBytes = (Shape.elementCount(zpShape) ?? 0) * 4
        outputs.append(OutputTensor(name: module + ".weight_zero_point", dtype: .i32, shape: zpShape, byteCount: zpBytes, source: .piece(index, .zeroPoint)))
      }
    }
    var shapeBytes = ByteWriter()
    shapeBytes.write(Int64(rows)); shapeBytes.write(Int64(columns))
    outputs.append(OutputTensor(name: module + ".weight_shape", dtype: .i64, shape: [2], byteCount: 16, source: .bytes(shapeBytes.bytes)))
    return outputs
  }
}

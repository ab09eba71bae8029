import TensorCore

extension KerasFormat {
  public static func canStore(_ encoding: QuantEncoding, tensor: ModelTensor, in model: Model) -> StoreDecision {
    guard let context = model.formatContext as? KerasContext else {
      return .notStorable(reason: "the model was not opened as a Keras file")
    }
    if context.kind != .archive, let problem = KerasLegacyConversion.problem(model, context: context) {
      return .notStorable(reason: problem)
    }
    guard let index = model.tensors.firstIndex(where: { $0.name == tensor.name }) else {
      return .notStorable(reason: "the tensor is not part of this Keras model")
    }
    switch encoding {
    case .float32:
      return tensor.dtype == .f32 ? .storable
        : .notStorable(reason: "the layer's dtype policy fixes its variables' type (\(tensor.dtype.rawValue)); Keras would load float32 values back as \(tensor.dtype.rawValue)")
    case let .linear(linear):
      if let reason = int8Problem(linear, tensorIndex: index, model: model, context: context) { return .notStorable(reason: reason) }
      return .storable
    case .float16, .bfloat16:
      return .notStorable(reason: "Keras keeps a layer's variables in its dtype policy's type; change the policy in Keras (e.g. mixed_float16) instead")
    case .blocks:
      return .notStorable(reason: "Keras has no ggml block types; its stored quantization is int8 per output channel (Dense, EinsumDense, Embedding)")
    }
  }

  /// Why Keras cannot hold this linear encoding for the tensor, or nil when it can (Keras 3's own
  /// int8: symmetric, [-127, 127], per output channel, on a Dense or EinsumDense kernel or an
  /// Embedding table, from a float32, bfloat16 or mixed_bfloat16 layer).
  static func int8Problem(_ linear: LinearQuantization, tensorIndex: Int, model: Model, context: KerasContext) -> String? {
    let tensor = model.tensors[tensorIndex]
    guard tensorIndex < context.refs.count, let layerIndex = context.refs[tensorIndex].layerIndex,
      layerIndex < context.layers.count
    else { return "the tensor belongs to no layer of config.json" }
    let spec = context.layers[layerIndex]
    let ref = context.refs[tensorIndex]
    switch spec.className {
    case "Dense", "EinsumDense", "Embedding":
      break
    case "MultiHeadAttention":
      return "Keras quantizes MultiHeadAttention's inner EinsumDense layers but cannot load the result back (the layer's config does not record their policies); its weights stay float"
    default:
      return "Keras 3 has no int8 form for \(spec.className) (only Dense, EinsumDense and Embedding implement quantize()); its weights stay float"
    }
    let variable = spec.className == "Embedding" ? "embeddings" : "kernel"
    guard ref.variable == variable, context.kind != .archive || ref.datasetPath.hasSuffix("vars/0"), !spec.path.isEmpty else {
      return "Keras quantizes only the \(variable) of a \(spec.className); '\(ref.variable)' stays float"
    }
    let policy = KerasLayerKinds.policyName(spec.config) ?? "float32"
    guard KerasLayerKinds.quantizationMode(policy) == nil else {
      return "the layer is already quantized (\(policy))"
    }
    if policy == "float16" || policy == "mixed_float16" {
      return "Keras refuses int8 for layers that compute in float16 (policy \(policy)); load the model with mixed_bfloat16 or float32 first"
    }
    let variableType: DType = policy == "bfloat16" ? .bf16 : .f32
    guard ["float32", "bfloat16", "mixed_bfloat16"].contains(policy), tensor.dtype == variableType else {
      return "QuantScope writes Keras int8 for float32, bfloat16 and mixed_bfloat16 layers; this one has policy \(policy) and \(tensor.dtype.rawValue) weights"
    }
    let layout: KerasInt8Layout
    do { layout = try int8Layout(spec, kernelShape: tensor.shape) } catch { return error.reason }
    guard linear.bits == 8, linear.qmin == -127, linear.qmax == 127, !linear.asymmetric, case let .channel(requested) = linear.granularity else {
      return "Keras stores int8 symmetric in [-127, 127] with one scale per output channel only (scheme int8)"
    }
    // An EinsumDense's channels are all its kept axes at once; any per-channel request means Keras' own.
    if spec.className != "EinsumDense", layout.channelAxes != [requested] {
      return "Keras stores one scale per \(spec.className == "Dense" ? "output column" : "row") (axis \(layout.channelAxes.first ?? 0)); use scheme int8"
    }
    return nil
  }

  /// The int8 scale layout Keras uses for the layer's kernel (or embedding table).
  static func int8Layout(_ spec: KerasLayerSpec, kernelShape: [Int]) throws(KerasInt8Layout.Refusal) -> KerasInt8Layout {
    switch spec.className {
    case "EinsumDense":
      guard let equation = spec.config["equation"]?.stringValue else {
        throw KerasInt8Layout.Refusal(reason: "the EinsumDense config has no equation")
      }
      return try KerasInt8Layout.einsum(equation, kernelShape: kernelShape)
    default:
      guard kernelShape.count == 2 else {
        throw KerasInt8Layout.Refusal(reason: "expected a 2-D \(spec.className == "Dense" ? "kernel" : "embeddings"), found shape \(Shape.describe(kernelShape))")
      }
      return spec.className == "Dense" ? .dense(kernelShape: kernelShape) : .embedding(tableShape: kernelShape)
    }
  }

  public static func write(
    _ model: Model, requests: [TensorWriteRequest], provider: QuantizedDataProvider, to path: String,
    options: WriteOptions
  ) throws(FormatError) -> [String] {
    guard let context = model.formatContext as? KerasContext else {
      throw .unsupported(file: model.path, what: "Keras output", reason: "the model was not opened as a Keras file")
    }
    guard path.lowercased().hasSuffix(".keras") else {
      // Keras picks the reader by extension; a Keras 3 archive under another name would not load.
      throw .unsupported(file: path, what: "Keras output", reason: "QuantScope writes Keras 3 .keras archives; name the output '.keras'")
    }
    if context.kind != .archive, let problem = KerasLegacyConversion.problem(model, context: context) {
      throw .unsupported(file: model.path, what: "Keras output", reason: problem)
    }
    var notes: [String] = []
    var quantized: [KerasQuantizedLayer] = []
    for (n, request) in requests.enumerated() {
      if options.cancellation?.isCancelled == true { throw .io(.cannotWrite(path: path, reason: "cancelled")) }
      guard request.tensorIndex >= 0, request.tensorIndex < model.tensors.count else {
        throw .cannotStore(file: path, tensor: "#\(request.tensorIndex)", reason: "no such tensor")
      }
      let tensor = model.tensors[request.tensorIndex]
      switch canStore(request.encoding, tensor: tensor, in: model) {
      case let .notStorable(reason):
        notes.append("warning: kept tensor '\(tensor.name)' unchanged: \(reason)")
        continue
      case .storable:
        break
      }
      guard case .linear = request.encoding else { continue }  // float32 on float32: nothing changes
      quantized.append(try KerasQuantizedLayer.make(tensor: tensor, index: request.tensorIndex, context: context, file: path))
      options.progress?(ProgressUpdate(completed: n + 1, total: requests.count, item: tensor.name))
    }
    guard let archive = context.archive, let config = context.config else {
      let members = try KerasLegacyConversion.members(model, context: context, quantized: quantized, file: path)
      try KerasArchiveWriter.commit(members: members, to: path, model: model, quantized: quantized, options: options)
      return notes + ["converted the legacy .h5 to a Keras 3 .keras archive (optimizer state and training config are not carried over)"]
    }
    var members: [(String, [UInt8])] = []
    for name in archive.memberNames {
      switch name {
      case KerasArchive.configMember where !quantized.isEmpty:
        let updated = KerasConfigEditor.quantizing(config.root, layers: quantized.map { (context.layers[$0.layerIndex].indexPath, $0.sourcePolicy) })
        members.append((name, Array(updated.compactText().utf8)))
      case KerasArchive.weightsMember where !quantized.isEmpty:
        members.append((name, try KerasWeightsRewriter.rebuild(context.weights, quantized: quantized, file: path)))
      default:
        members.append((name, try archive.memberBytes(name, path: model.path)))
      }
    }
    try KerasArchiveWriter.commit(members: members, to: path, model: model, quantized: quantized, options: options)
    return notes
  }
}

import TensorCore

/// One Dense, EinsumDense or Embedding layer rewritten in Keras 3's int8 form.
struct KerasQuantizedLayer: Sendable {
  var layerIndex: Int
  /// The layer's `vars` group ("layers/dense/vars").
  var varsPath: String
  var className: String
  var shape: [Int]
  var values: [UInt8]
  var scales: [Float]
  var scaleShape: [Int]
  /// The scale variable's type: the layer's variable dtype (float32, or bfloat16 under policy bfloat16).
  var scaleType: HDF5StoredType
  /// The float policy the layer came from ("float32", "bfloat16", "mixed_bfloat16").
  var sourcePolicy: String
  /// Source datasets kept as they are, in order after the kernel (the bias).
  var keptDatasets: [String]

  static func make(tensor: ModelTensor, index: Int, context: KerasContext, file: String) throws(FormatError) -> KerasQuantizedLayer {
    let ref = context.refs[index]
    guard let layerIndex = ref.layerIndex, let slash = ref.datasetPath.lastIndex(of: "/") else {
      throw .cannotStore(file: file, tensor: tensor.name, reason: "no layer group")
    }
    let spec = context.layers[layerIndex]
    // A legacy layer moves to the group a Keras 3 archive gives it.
    let varsPath = context.kind == .archive ? String(ref.datasetPath[..<slash]) : (spec.counterGroup ?? spec.name) + "/vars"
    let layout: KerasInt8Layout
    do { layout = try KerasFormat.int8Layout(spec, kernelShape: tensor.shape) } catch {
      throw .cannotStore(file: file, tensor: tensor.name, reason: error.reason)
    }
    let values = FloatDecoding.decode(tensor.dtype, from: tensor.location.bytes, count: tensor.elementCount)
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      throw .cannotStore(file: file, tensor: tensor.name, reason: "value \(values[bad]) at element \(bad) is not finite")
    }
    let (q, scales) = KerasInt8.quantize(values, shape: tensor.shape, layout: layout)
    let kept = context.refs.filter { $0.layerIndex == layerIndex && $0.variable == "bias" }.map(\.datasetPath)
    return KerasQuantizedLayer(layerIndex: layerIndex, varsPath: varsPath, className: spec.className,
                               shape: tensor.shape, values: q, scales: scales, scaleShape: layout.scaleShape,
                               scaleType: tensor.dtype == .bf16 ? .bfloat16 : .float32,
                               sourcePolicy: KerasLayerKinds.policyName(spec.config) ?? "float32", keptDatasets: kept)
  }

  /// The scale variable's bytes in its stored type.
  var scaleBytes: [UInt8] { scaleType == .bfloat16 ? KerasInt8.bfloat16Bytes(scales) : KerasInt8.bytes(scales) }
}

/// Edits config.json the way `model.quantize("int8")` changes it.
enum KerasConfigEditor {
  /// The dtype policy Keras 3 writes for an int8 layer quantized from the float policy `source`.
  static func int8Policy(from source: String) -> KerasJSON {
    .object([
    .init(key: "module", value: .string("keras.dtype_policies"), offset: 0),
    .init(key: "class_name", value: .string("QuantizedDTypePolicy"), offset: 0),
    .init(key: "config", value: .object([
      .init(key: "mode", value: .string("int8"), offset: 0),
      .init(key: "source_name", value: .string(source), offset: 0),
    ]), offset: 0),
    .init(key: "registered_name", value: .null, offset: 0),
    ])
  }

  /// The quantization config Keras 3 writes next to it (default int8: dynamic int8 inputs).

  static let int8Config: KerasJSON = .object([
    .init(key: "module", value: .string("keras.quantizers"), offset: 0),
    .init(key: "class_name", value: .string("Int8QuantizationConfig"), offset: 0),
    .init(key: "config", value: .object([
      .init(key: "weight_quantizer", value: .null, offset: 0),
      .init(key: "activation_quantizer", value: .object([
        .init(key: "module", value: .string("keras.quantizers"), offset: 0),
        .init(key: "class_name", value: .string("AbsMaxQuantizer"), offset: 0),
        .init(key: "config", value: .object([
          .init(key: "value_range", value: .array([.number("-127"), .number("127")]), offset: 0),
          .init(key: "epsilon", value: .number("1e-07"), offset: 0),
          .init(key: "output_dtype", value: .string("int8"), offset: 0),
        ]), offset: 0),
        .init(key: "registered_name", value: .null, offset: 0),
      ]), offset: 0),
    ]), offset: 0),
    .init(key: "registered_name", value: .null, offset: 0),
  ])

  /// `root` with each `(indexPath, source policy)` layer set to int8.
  static func quantizing(_ root: KerasJSON, layers: [([Int], String)]) -> KerasJSON {
    layers.reduce(root) { json, layer in edit(json, at: layer.0[...], source: layer.1) }
  }

  /// Follows `config.layers[i]` for each index, then sets the layer config's policy.
  static func edit(_ model: KerasJSON, at path: ArraySlice<Int>, source: String) -> KerasJSON {
    guard let index = path.first else {
      return setting("config", in: model) { config in
        setting("quantization_config", in: setting("dtype", in: config) { _ in int8Policy(from: source) }) { _ in int8Config }
      }
    }
    return setting("config", in: model) { config in
      if case var .array(items) = config, index < items.count {  // Keras 2.0 Sequential: config is the list
        items[index] = edit(items[index], at: path.dropFirst(), source: source)
        return .array(items)
      }
      return setting("layers", in: config) { layers in
        guard case var .array(items) = layers, index < items.count else { return layers }
        items[index] = edit(items[index], at: path.dropFirst(), source: source)
        return .array(items)
      }
    }
  }

  /// The object with member `key` replaced by `transform(old)` (appended when absent).
  static func setting(_ key: String, in object: KerasJSON, _ transform: (KerasJSON) -> KerasJSON) -> KerasJSON {
    guard case var .object(members) = object else { return object }
    if let at = members.firstIndex(where: { $0.key == key }) {
      members[at].value = transform(members[at].value)
    } else {
      members.append(.init(key: key, value: transform(.null), offset: 0))
    }
    return .object(members)
  }
}

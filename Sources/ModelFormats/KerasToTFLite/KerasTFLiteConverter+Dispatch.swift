import TensorCore

/// Which Keras layer classes convert, and the emitter for each.
extension KerasTFLiteConverter {
  /// Layers that only matter while training: their output is their input.
  static let inferenceNoOps: Set<String> = [
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
    "AlphaDropout", "ActivityRegularization", "Identity",
  ]

  static let supported: Set<String> = inferenceNoOps.union([
    "Dense", "Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose",
    "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "Flatten", "Reshape", "Permute", "BatchNormalization", "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU",
    "Softmax", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
    "ZeroPadding1D", "ZeroPadding2D", "UpSampling2D", "Embedding", "LayerNormalization", "Rescaling",
    "Normalization", "LSTM", "Bidirectional",
  ])

  /// Why a layer cannot be converted at all (class, quantized policy, layout), or nil.
  static func unsupportedReason(_ call: KerasGraph.Call) -> String? {
    if let reason = loopedRecurrentReason(call.className) { return reason }
    guard supported.contains(call.className) else {
      return "layer class '\(call.className)' is not converted (custom classes and layers outside the supported list cannot be)"
    }
    let config = LayerConfig(json: call.config)
    if let mode = KerasLayerKinds.quantizationMode(KerasLayerKinds.policyName(call.config)) {
      return "the layer is already quantized by Keras (\(mode)); convert the float model"
    }
    if call.className == "LSTM" { return lstmUnsupportedReason(config) }
    if call.className == "Bidirectional" { return bidirectionalUnsupportedReason(config) }
    if let act = config.activation(), !activationNames.contains(act) {
      return "activation '\(act)' is not converted"
    }
    if let format = config.string("data_format"), format != "channels_last" {
      return "data_format '\(format)' is not converted (TFLite ops are channels-last)"
    }
    return nil
  }

  /// Emits the ops of one layer call and returns its outputs.
  mutating func emit(_ call: KerasGraph.Call, _ config: LayerConfig, _ inputs: [Value]) throws(Issue) -> [Value] {
    // TF's scope for the layer's ops: calls are numbered from 1 (`<model>_1/<layer>_1/MatMul`).
    let name = "\(modelScope)/\(call.tfScope)"
    if KerasTFLiteConverter.inferenceNoOps.contains(call.className) { return [try single(inputs)] }
    switch call.className {
    case "Dense": return [try dense(call.name, name, config, try single(inputs))]
    case "Conv1D": return [try conv1D(call.name, name, config, try single(inputs))]
    case "Conv2D": return [try conv2D(call.name, name, config, try single(inputs))]
    case "DepthwiseConv2D": return [try depthwise(call.name, name, config, try single(inputs))]
    case "SeparableConv2D": return [try separable(call.name, name, config, try single(inputs))]
    case "Conv2DTranspose": return [try transposeConv(call.name, name, config, try single(inputs))]
    case "MaxPooling1D", "AveragePooling1D", "MaxPooling2D", "AveragePooling2D":
      return [try pool(call.className, name, config, try single(inputs))]
    case "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D":
      return [try globalPool(call.className, name, config, try single(inputs))]
    case "Flatten": return [try flatten(name, try single(inputs))]
    case "Reshape": return [try reshapeLayer(name, config, try single(inputs))]
    case "Permute": return [try permute(name, config, try single(inputs))]
    case "BatchNormalization": return [try batchNorm(call.name, name, config, try single(inputs))]
    case "Activation": return [try activation(config.activation(), try single(inputs), name)]
    case "ReLU": return [try reluLayer(name, config, try single(inputs))]
    case "LeakyReLU":
      let slope = config.double("negative_slope") ?? config.double("alpha") ?? 0.3
      return [unary(ConvertedOps.leakyRelu, try single(inputs), name + "/LeakyRelu", options: ConvertedOps.leakyRelu(alpha: Float(slope)))]
    case "PReLU": return [try prelu(call.name, name, try single(inputs))]
    case "ELU":
      guard (config.double("alpha") ?? 1) == 1 else { throw Issue("ELU with alpha != 1 is not converted") }
      return [unary(ConvertedOps.elu, try single(inputs), name + "/Elu")]
    case "Softmax":
      let input = try single(inputs)
      let axes = config.json["axis"].map { value in value.intValue.map { [$0] } ?? value.arrayValue?.compactMap(\.intValue) ?? [] } ?? [-1]
      guard axes.count == 1, KerasTFLiteConverter.axis(axes[0], rank: input.rank) == input.rank - 1 else {
        throw Issue("softmax over an axis other than the last is not converted")
      }
      return [unary(ConvertedOps.softmax, input, name + "/Softmax", options: ConvertedOps.softmax())]
    case "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum":
      return [try merge(call.className, name, inputs)]
    case "Concatenate": return [try concatenate(name, config, inputs)]
    case "ZeroPadding1D", "ZeroPadding2D": return [try zeroPadding(call.className, name, config, try single(inputs))]
    case "UpSampling2D": return [try upSampling(name, config, try single(inputs))]
    case "Embedding": return [try embedding(call.name, name, try single(inputs))]
    case "LayerNormalization": return [try layerNorm(call.name, name, config, try single(inputs))]
    case "Rescaling": return [try rescaling(name, config, try single(inputs))]
    case "Normalization": return [try normalization(call.name, name, config, try single(inputs))]
    case "LSTM": return [try lstm(call.name, name, config, try single(inputs))]
    case "Bidirectional": return [try bidirectional(call.name, name, config, try single(inputs))]
    default:
      throw Issue("layer class '\(call.className)' is not converted")
    }
  }
}

import TensorCore

/// What QuantScope knows about Keras layer classes: variable names in save order, which tensors are
/// quantizable, their output-channel axis, and the config facts worth showing.
enum KerasLayerKinds {
  /// Layers Keras 3 itself can store in int8 (`Layer.quantize`).
  static let int8Native: Set<String> = ["Dense", "EinsumDense", "Embedding"]

  static let convolutions: Set<String> = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"]
  static let weightless: Set<String> = [
    "InputLayer", "Flatten", "Reshape", "Dropout", "ReLU", "Activation", "Softmax", "LeakyReLU", "ELU",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D",
    "GlobalMaxPooling2D", "GlobalMaxPooling3D", "Add", "Concatenate", "Multiply", "Subtract", "Average",
    "Maximum", "Minimum", "Permute", "RepeatVector", "ZeroPadding1D", "ZeroPadding2D", "Cropping2D",
    "UpSampling2D", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "Rescaling",
    "Identity", "Lambda", "Masking", "Dot",
  ]

  /// The Keras 3 dtype policy name of a layer config ("float32", "mixed_float16", "int8_from_float32").
  static func policyName(_ config: KerasJSON) -> String? {
    guard let dtype = config["dtype"] else { return nil }
    if let text = dtype.stringValue { return text }
    let inner = dtype["config"]
    if let mode = inner?["mode"]?.stringValue, let source = inner?["source_name"]?.stringValue {
      return "\(mode)_from_\(source)"
    }
    return inner?["name"]?.stringValue
  }

  /// The quantization mode in a policy name ("int8", "int4/-1"), or nil for float policies.
  static func quantizationMode(_ policy: String?) -> String? {
    guard let policy, let range = policy.range(of: "_from_") else { return nil }
    return String(policy[..<range.lowerBound])
  }

  /// Variable names of a Keras 3 layer, in the order its `vars` datasets are numbered, or nil when
  /// the class is unknown.
  static func variableNames(className: String, config: KerasJSON) -> [String]? {
    let useBias = config["use_bias"]?.boolValue ?? true
    let mode = quantizationMode(policyName(config))
    switch className {
    case "Dense":
      if mode == "int8" { return ["kernel"] + (useBias ? ["bias"] : []) + ["kernel_scale"] }
      return ["kernel"] + (useBias ? ["bias"] : [])
    case "EinsumDense":
      let hasBias = config["bias_axes"].map { $0 != .null } ?? false
      if mode == "int8" { return ["kernel"] + (hasBias ? ["bias"] : []) + ["kernel_scale"] }
      return ["kernel"] + (hasBias ? ["bias"] : [])
    case "Embedding":
      return mode == "int8" ? ["embeddings", "embeddings_scale"] : ["embeddings"]
    case "DepthwiseConv1D", "DepthwiseConv2D":
      return ["kernel"] + (useBias ? ["bias"] : [])
    case "SeparableConv1D", "SeparableConv2D":
      return ["depthwise_kernel", "pointwise_kernel"] + (useBias ? ["bias"] : [])
    case "BatchNormalization":
      let scale = config["scale"]?.boolValue ?? true, center = config["center"]?.boolValue ?? true
      return (scale ? ["gamma"] : []) + (center ? ["beta"] : []) + ["moving_mean", "moving_variance"]
    case "LayerNormalization", "GroupNormalization":
      let scale = config["scale"]?.boolValue ?? true, center = config["center"]?.boolValue ?? true
      return (scale ? ["gamma"] : []) + (center ? ["beta"] : [])
    case "PReLU": return ["alpha"]
    case "LSTMCell", "GRUCell", "SimpleRNNCell":
      return ["kernel", "recurrent_kernel"] + (useBias ? ["bias"] : [])
    case "LSTM", "GRU", "SimpleRNN", "Bidirectional":
      // Their variables live in sub-objects: the `cell`, or `forward_layer`/`backward_layer`.
      return []
    default:
      if convolutions.contains(className) { return ["kernel"] + (useBias ? ["bias"] : []) }
      return weightless.contains(className) ? [] : nil
    }
  }

  /// Classes of sub-objects Keras saves under a layer's group (`lstm/cell`, `mha/query_dense`,
  /// `bidirectional/forward_layer`, whose class is the wrapped layer's in `config`).
  static func subObjectClass(parent: String, child: String, config: KerasJSON = .object([])) -> String? {
    switch (parent, child) {
    case ("Bidirectional", "forward_layer"), ("Bidirectional", "backward_layer"):
      return config["layer"]?["class_name"]?.stringValue
    case ("LSTM", "cell"): return "LSTMCell"
    case ("GRU", "cell"): return "GRUCell"
    case ("SimpleRNN", "cell"): return "SimpleRNNCell"
    case ("MultiHeadAttention", "query_dense"), ("MultiHeadAttention", "key_dense"),
      ("MultiHeadAttention", "value_dense"), ("MultiHeadAttention", "output_dense"):
      return "EinsumDense"
    default: return nil
    }
  }

  /// Role, quantizability and channel axis of one variable.
  static func traits(className: String, variable: String, rank: Int) -> (role: TensorRole, quantizable: Bool, axis: Int) {
    let last = max(rank - 1, 0)
    switch variable {
    case "kernel", "depthwise_kernel", "pointwise_kernel", "recurrent_kernel":
      var axis = last
      if className.hasPrefix("Depthwise") || variable == "depthwise_kernel" { axis = max(rank - 2, 0) }
      if className.hasSuffix("Transpose") { axis = max(rank - 2, 0) }
      return (.weight, rank >= 2, axis)
    case "embeddings": return (.embedding, rank >= 2, 0)
    case "bias": return (.bias, false, 0)
    case "gamma", "beta", "moving_mean", "moving_variance": return (.norm, false, 0)
    default: return (.other, false, 0)
    }
  }

  /// Config facts a user cares about, in a fixed order.
  static func details(_ config: KerasJSON, className: String) -> [String] {
    var out: [String] = []
    if className == "Bidirectional", let inner = config["layer"], let innerClass = inner["class_name"]?.stringValue {
      // The wrapped layer's facts, then how the two directions are merged.
      let innerConfig = inner["config"] ?? .object([])
      out.append("layer=\(innerClass)")
      out += details(innerConfig, className: innerClass)
      out.append("merge_mode=\(config["merge_mode"]?.displayText ?? "concat")")
      return out
    }
    for key in ["units", "filters", "kernel_size", "strides", "depth_multiplier", "input_dim", "output_dim",
                "equation", "num_heads", "key_dim", "rate", "pool_size", "activation", "recurrent_activation",
                "use_bias", "return_sequences"] {
      guard let value = config[key]?.displayText else { continue }
      out.append("\(key)=\(value)")
    }
    // Recurrent flags that change what the layer computes, shown only when set.
    for key in ["go_backwards", "return_state", "stateful", "unroll"] where config[key]?.boolValue == true {
      out.append("\(key)=true")
    }
    if let policy = policyName(config), policy != "float32" { out.append("dtype=\(policy)") }
    return out
  }
}

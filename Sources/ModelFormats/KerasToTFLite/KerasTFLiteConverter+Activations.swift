import TensorCore

/// Activation functions (layers and `activation=` arguments) as the TF converter lowers them.
/// RELU/RELU6 are emitted as ops here and fused into their producer by ``ConvertedGraph/optimize()``.
extension KerasTFLiteConverter {
  static let activationNames: Set<String> = [
    "linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "hard_sigmoid", "hard_swish", "hard_silu", "gelu",
    "silu", "swish", "elu", "leaky_relu",
  ]

  /// Applies a layer's `activation=` argument inside the layer's scope `name`.
  mutating func activated(_ config: LayerConfig, _ input: Value, _ name: String) throws(Issue) -> Value {
    guard let act = config.activation(), act != "linear" else { return input }
    return try activation(act, input, name)
  }

  /// TF's op name for an activation (`Relu6`), which names its output tensor.
  static func tfOpName(_ activation: String) -> String {
    switch activation {
    case "relu": return "Relu"
    case "relu6": return "Relu6"
    case "sigmoid": return "Sigmoid"
    case "tanh": return "Tanh"
    case "softmax": return "Softmax"
    case "elu": return "Elu"
    case "gelu": return "Gelu"
    case "hard_swish", "hard_silu": return "HardSwish"
    case "leaky_relu": return "LeakyRelu"
    case "silu", "swish": return "mul"
    case "hard_sigmoid": return "truediv"
    default: return activation
    }
  }

  /// The ops of activation `name` applied to `input` inside scope `scope`.
  mutating func activation(_ name: String?, _ input: Value, _ scope: String) throws(Issue) -> Value {
    let outName = scope + "/" + KerasTFLiteConverter.tfOpName(name ?? "linear")
    switch name ?? "linear" {
    case "linear": return input
    case "relu": return unary(ConvertedOps.relu, input, outName)
    case "relu6": return unary(ConvertedOps.relu6, input, outName)
    case "sigmoid": return unary(ConvertedOps.logistic, input, outName)
    case "tanh": return unary(ConvertedOps.tanh, input, outName)
    case "softmax": return unary(ConvertedOps.softmax, input, outName, options: ConvertedOps.softmax())
    case "elu": return unary(ConvertedOps.elu, input, outName)
    case "gelu": return unary(ConvertedOps.gelu, input, outName, options: ConvertedOps.gelu(approximate: false))
    case "hard_swish", "hard_silu": return unary(ConvertedOps.hardSwish, input, outName, options: ConvertedOps.hardSwishOptions())
    case "leaky_relu":
      return unary(ConvertedOps.leakyRelu, input, outName, options: ConvertedOps.leakyRelu(alpha: 0.2))
    case "silu", "swish":
      let sigmoid = unary(ConvertedOps.logistic, input, scope + "/Sigmoid")
      return try binary(ConvertedOps.mul, input, sigmoid, outName, options: ConvertedOps.mulOptions())
    case "hard_sigmoid":
      // Keras 3: relu6(x + 3) / 6.
      let three = constant(scope + "/add/y", [3], shape: [])
      let shifted = try binary(ConvertedOps.add, input, three, scope + "/add", options: ConvertedOps.addOptions())
      let clipped = unary(ConvertedOps.relu6, shifted, scope + "/Relu6")
      let sixth = constant(scope + "/truediv/y", [Float(1) / 6], shape: [])
      return try binary(ConvertedOps.mul, clipped, sixth, outName, options: ConvertedOps.mulOptions())
    case let other:
      throw Issue("activation '\(other)' is not converted (supported: \(KerasTFLiteConverter.activationNames.sorted().joined(separator: ", ")))")
    }
  }

  /// ReLU(max_value, negative_slope, threshold).
  mutating func reluLayer(_ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    let maxValue = config.double("max_value"), slope = config.double("negative_slope") ?? 0
    guard (config.double("threshold") ?? 0) == 0 else { throw Issue("ReLU with a threshold is not converted") }
    if slope == 0 {
      if maxValue == nil { return unary(ConvertedOps.relu, input, name + "/Relu") }
      if maxValue == 6 { return unary(ConvertedOps.relu6, input, name + "/Relu6") }
    }
    var out = slope == 0 ? unary(ConvertedOps.relu, input, name + "/Relu")
      : unary(ConvertedOps.leakyRelu, input, name + "/LeakyRelu", options: ConvertedOps.leakyRelu(alpha: Float(slope)))
    if let maxValue {
      let cap = constant(name + "/Minimum/y", [Float(maxValue)], shape: [])
      out = try binary(ConvertedOps.minimum, out, cap, name + "/Minimum", options: ConvertedOps.maxMin())
    }
    return out
  }

  mutating func prelu(_ layer: String, _ name: String, _ input: Value) throws(Issue) -> Value {
    let alpha = try weight(layer, "alpha")
    let a = constant(name + "/Neg", alpha.values, shape: alpha.shape)
    _ = try KerasTFLiteConverter.broadcast(input.shape, alpha.shape)
    let out = output(name + "/add", input.shape)
    graph.append(ConvertedOps.prelu, [input.tensor, a.tensor], [out.tensor])
    return out
  }
}

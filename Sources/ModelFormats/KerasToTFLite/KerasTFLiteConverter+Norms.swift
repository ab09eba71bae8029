import TensorCore

/// Normalization, affine and merge layers.
extension KerasTFLiteConverter {
  /// The single channels-last axis a normalization layer works on.
  func lastAxisOnly(_ config: LayerConfig, _ input: Value) throws(Issue) {
    let axes = config.json["axis"].flatMap { value -> [Int]? in
      if let n = value.intValue { return [n] }
      return value.arrayValue?.compactMap(\.intValue)
    } ?? [-1]
    guard axes.count == 1, KerasTFLiteConverter.axis(axes[0], rank: input.rank) == input.rank - 1 else {
      throw Issue("normalizing over axis \(axes) is not converted (only the last axis)")
    }
  }

  /// BatchNormalization → MUL + ADD with per-channel constants; ``ConvertedGraph/optimize()``
  /// folds them into a preceding convolution or dense layer.
  mutating func batchNorm(_ layer: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    try lastAxisOnly(config, input)
    let channels = input.shape.last ?? 0
    let epsilon = Float(config.double("epsilon") ?? 1e-3)
    let mean = try weight(layer, "moving_mean").values, variance = try weight(layer, "moving_variance").values
    let gamma = (config.bool("scale") ?? true) ? try weight(layer, "gamma").values : [Float](repeating: 1, count: channels)
    let beta = (config.bool("center") ?? true) ? try weight(layer, "beta").values : [Float](repeating: 0, count: channels)
    guard [mean.count, variance.count, gamma.count, beta.count].allSatisfy({ $0 == channels }) else {
      throw Issue("statistics do not have \(channels) channels")
    }
    var scale = [Float](repeating: 0, count: channels), shift = scale
    for c in 0..<channels {
      scale[c] = gamma[c] / (variance[c] + epsilon).squareRoot()
      shift[c] = beta[c] - mean[c] * scale[c]
    }
    // TF's batchnorm names: mul = γ·rsqrt(σ²+ε), mul_1 = x·mul, sub = β − μ·mul, add_1 = mul_1 + sub.
    let mul = try binary(ConvertedOps.mul, input, constant(name + "/batchnorm/mul", scale, shape: [channels]), name + "/batchnorm/mul_1",
                         options: ConvertedOps.mulOptions())
    return try binary(ConvertedOps.add, mul, constant(name + "/batchnorm/sub", shift, shape: [channels]), name + "/batchnorm/add_1",
                      options: ConvertedOps.addOptions())
  }

  /// LayerNormalization over the last axis: MEAN, SQUARED_DIFFERENCE, MEAN, ADD ε, RSQRT, then
  /// (x − mean)·rsqrt·γ + β.
  mutating func layerNorm(_ layer: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    try lastAxisOnly(config, input)
    guard !(config.bool("rms_scaling") ?? false) else { throw Issue("rms_scaling is not converted") }
    let channels = input.shape.last ?? 0
    let epsilon = Float(config.double("epsilon") ?? 1e-3)
    let axis = graph.constant(name + "/axis", int32s: [Int32(input.rank - 1)])
    var reduced = input.shape
    reduced[input.rank - 1] = 1
    let mean = unary(ConvertedOps.mean, input, name + "/mean", shape: reduced, options: ConvertedOps.reducer(keepDims: true), extra: [axis])
    let squared = try binary(ConvertedOps.squaredDifference, input, mean, name + "/squared_difference",
                             options: ConvertedOps.squaredDifferenceOptions())
    let variance = unary(ConvertedOps.mean, squared, name + "/variance", shape: reduced, options: ConvertedOps.reducer(keepDims: true),
                         extra: [axis])
    let padded = try binary(ConvertedOps.add, variance, constant(name + "/epsilon", [epsilon], shape: []), name + "/add_epsilon",
                            options: ConvertedOps.addOptions())
    let inverse = unary(ConvertedOps.rsqrt, padded, name + "/rsqrt")
    let centered = try binary(ConvertedOps.sub, input, mean, name + "/sub", options: ConvertedOps.subOptions())
    let useScale = config.bool("scale") ?? true, useCenter = config.bool("center") ?? true
    var out = try binary(ConvertedOps.mul, centered, inverse, name + "/normalized",
                         options: ConvertedOps.mulOptions())
    if useScale {
      let gamma = try weight(layer, "gamma").values
      guard gamma.count == channels else { throw Issue("gamma has \(gamma.count) values, expected \(channels)") }
      out = try binary(ConvertedOps.mul, out, constant(name + "/gamma", gamma, shape: [channels]), name + "/mul",
                       options: ConvertedOps.mulOptions())
    }
    if useCenter {
      let beta = try weight(layer, "beta").values
      guard beta.count == channels else { throw Issue("beta has \(beta.count) values, expected \(channels)") }
      out = try binary(ConvertedOps.add, out, constant(name + "/beta", beta, shape: [channels]), name + "/add", options: ConvertedOps.addOptions())
    }
    return out
  }

  /// A scalar or per-channel list as a broadcastable constant.
  mutating func affineConstant(_ values: [Double], _ name: String, channels: Int) throws(Issue) -> Value {
    let floats = values.map { Float($0) }
    if floats.count == 1 { return constant(name, floats, shape: []) }
    guard floats.count == channels else { throw Issue("\(floats.count) values for \(channels) channels") }
    return constant(name, floats, shape: [channels])
  }

  mutating func rescaling(_ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    let scale = config.doubles("scale") ?? [1], offset = config.doubles("offset") ?? [0]
    let channels = input.shape.last ?? 0
    let needsOffset = offset.contains { $0 != 0 }
    var out = input
    if scale.contains(where: { $0 != 1 }) {
      out = try binary(ConvertedOps.mul, out, affineConstant(scale, name + "/mul/y", channels: channels), name + "/mul",
                       options: ConvertedOps.mulOptions())
    }
    if needsOffset {
      out = try binary(ConvertedOps.add, out, affineConstant(offset, name + "/add/y", channels: channels), name + "/add", options: ConvertedOps.addOptions())
    }
    return out
  }

  /// Normalization: (x − mean) / max(√variance, ε) with the adapted statistics (weights) or the
  /// ones given in the config.
  mutating func normalization(_ layer: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    try lastAxisOnly(config, input)
    guard !(config.bool("invert") ?? false) else { throw Issue("invert=True is not converted") }
    let channels = input.shape.last ?? 0
    var mean = config.doubles("mean")?.map { Float($0) }, variance = config.doubles("variance")?.map { Float($0) }
    if mean == nil || variance == nil {
      // Keras 3 stores adapt results as vars 0 (mean), 1 (variance), 2 (count).
      mean = try weight(layer, hasWeight(layer, "mean") ? "mean" : "var_0").values
      variance = try weight(layer, hasWeight(layer, "variance") ? "variance" : "var_1").values
    }
    guard var mean, let variance else { throw Issue("no mean/variance") }
    if mean.count == 1 { mean = [Float](repeating: mean[0], count: channels) }
    let stddev = (variance.count == 1 ? [Float](repeating: variance[0], count: channels) : variance).map { max($0.squareRoot(), 1e-7) }
    guard mean.count == channels, stddev.count == channels else { throw Issue("statistics do not have \(channels) channels") }
    let centered = try binary(ConvertedOps.sub, input, constant(name + "/sub/y", mean, shape: [channels]), name + "/sub",
                              options: ConvertedOps.subOptions())
    return try binary(ConvertedOps.mul, centered, constant(name + "/truediv/y", stddev.map { 1 / $0 }, shape: [channels]), name + "/truediv",
                      options: ConvertedOps.mulOptions())
  }

  /// Add, Subtract, Multiply, Maximum, Minimum (chained for more than two inputs) and Average.
  mutating func merge(_ className: String, _ name: String, _ inputs: [Value]) throws(Issue) -> Value {
    guard inputs.count >= 2 else { throw Issue("expects at least two inputs") }
    let (code, options, op): (Int32, OpOptions?, String) = switch className {
    case "Subtract": (ConvertedOps.sub, ConvertedOps.subOptions(), "Sub")
    case "Multiply": (ConvertedOps.mul, ConvertedOps.mulOptions(), "Mul")
    case "Maximum": (ConvertedOps.maximum, ConvertedOps.maxMin(), "Maximum")
    case "Minimum": (ConvertedOps.minimum, ConvertedOps.maxMin(), "Minimum")
    default: (ConvertedOps.add, ConvertedOps.addOptions(), "Add")
    }
    if className == "Subtract" && inputs.count != 2 { throw Issue("Subtract expects exactly two inputs") }
    var out = inputs[0]
    let average = className == "Average"
    for (i, next) in inputs.dropFirst().enumerated() {
      out = try binary(code, out, next, i == 0 ? "\(name)/\(op)" : "\(name)/\(op)_\(i)", options: options)
    }
    if average {
      out = try binary(ConvertedOps.mul, out, constant(name + "/truediv/y", [1 / Float(inputs.count)], shape: []), name + "/truediv",
                       options: ConvertedOps.mulOptions())
    }
    return out
  }

  mutating func concatenate(_ name: String, _ config: LayerConfig, _ inputs: [Value]) throws(Issue) -> Value {
    guard let first = inputs.first, inputs.count >= 2 else { throw Issue("expects at least two inputs") }
    guard let axis = KerasTFLiteConverter.axis(config.int("axis") ?? -1, rank: first.rank), axis > 0 else {
      throw Issue("concatenation axis \(config.int("axis") ?? -1) is not converted")
    }
    var shape = first.shape
    shape[axis] = 0
    for input in inputs {
      guard input.rank == first.rank, input.shape.enumerated().allSatisfy({ $0.offset == axis || $0.element == first.shape[$0.offset] }) else {
        throw Issue("inputs \(inputs.map(\.shape)) differ outside axis \(axis)")
      }
      shape[axis] += input.shape[axis]
    }
    let out = output(name + "/concat", shape)
    graph.append(ConvertedOps.concatenation, inputs.map(\.tensor), [out.tensor], options: ConvertedOps.concatenation(axis: axis))
    return out
  }
}

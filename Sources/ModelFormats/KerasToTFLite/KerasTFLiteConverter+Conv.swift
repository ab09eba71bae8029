import TensorCore

/// Dense and convolution layers: weights move from Keras' layouts to TFLite's, biases are always
/// written (zeros when the layer has none, so a following BatchNormalization can fold into them).
extension KerasTFLiteConverter {
  /// Keras "same"/"valid" → TFLite padding, with the spatial output size rule.
  static func padding(_ config: LayerConfig) throws(Issue) -> Int64 {
    switch config.string("padding") ?? "valid" {
    case "same": return ConvertedOps.Padding.same
    case "valid": return ConvertedOps.Padding.valid
    case let other: throw Issue("padding '\(other)' is not converted")
    }
  }

  static func outputSize(_ input: Int, kernel: Int, stride: Int, dilation: Int = 1, padding: Int64) throws(Issue) -> Int {
    let stride = max(stride, 1)
    if padding == ConvertedOps.Padding.same { return (input + stride - 1) / stride }
    let effective = (kernel - 1) * dilation + 1
    guard input >= effective else { throw Issue("window \(effective) is larger than the input size \(input)") }
    return (input - effective) / stride + 1
  }

  mutating func bias(_ layer: String, _ name: String, config: LayerConfig, count: Int) throws(Issue) -> Int {
    var values = [Float](repeating: 0, count: count)
    if config.bool("use_bias") ?? true {
      let b = try weight(layer, "bias")
      guard b.values.count == count else { throw Issue("bias has \(b.values.count) values, expected \(count)") }
      values = b.values
    }
    let tensor = graph.constant(name + "/BiasAdd", shape: [count], floats: values)
    return (config.bool("use_bias") ?? true) ? mark(tensor, layer, "bias") : tensor
  }

  /// Where the converter lists a layer's bias add among the ops its conv or MatMul fuses.
  enum BiasOrder { case dense, conv }

  /// The location of a conv or dense op (`op` is its TF op name): with a bias, the BiasAdd and
  /// the bias reshape's Squeeze fused in, as the converter names them.
  static func biased(_ config: LayerConfig, _ name: String, _ op: String, order: BiasOrder) -> [String] {
    guard config.bool("use_bias") ?? true else { return [name + "/" + op] }
    switch order {
    case .dense: return [name + "/" + op, name + "/BiasAdd"]
    case .conv: return [name + "/BiasAdd", name + "/" + op, name + "/Squeeze"]
    }
  }

  mutating func dense(_ layer: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    let kernel = try weight(layer, "kernel")
    guard kernel.shape.count == 2, let inner = input.shape.last, kernel.shape[0] == inner, input.rank >= 2 else {
      throw Issue("kernel \(kernel.shape) does not match input \(input.shape)")
    }
    let units = kernel.shape[1]
    var transposed = [Float](repeating: 0, count: kernel.values.count)
    for i in 0..<inner { for o in 0..<units { transposed[o * inner + i] = kernel.values[i * units + o] } }
    let w = graph.constant(name + "/MatMul", shape: [units, inner], floats: transposed)
    mark(w, layer, "kernel")
    let b = try bias(layer, name, config: config, count: units)
    let out = output(name + "/MatMul", Array(input.shape.dropLast()) + [units])
    graph.append(ConvertedOps.fullyConnected, [input.tensor, w, b], [out.tensor],
                 options: ConvertedOps.fullyConnected(keepNumDims: input.rank > 2),
                 location: KerasTFLiteConverter.biased(config, name, "MatMul", order: .dense))
    return try activated(config, out, name)
  }

  /// HWIO (`[kh, kw, in, out]`) → OHWI.
  static func ohwi(_ values: [Float], kh: Int, kw: Int, cin: Int, cout: Int) -> [Float] {
    var out = [Float](repeating: 0, count: values.count)
    for h in 0..<kh { for w in 0..<kw { for i in 0..<cin { for o in 0..<cout {
      out[((o * kh + h) * kw + w) * cin + i] = values[((h * kw + w) * cin + i) * cout + o]
    } } } }
    return out
  }

  /// Keras' `groups`: the kernel holds input channels / groups per filter, and the filters split
  /// evenly among the groups. TFLite's CONV_2D reads the grouping from the filter's depth, so the
  /// converter (and we) write the kernel as it is, OHWI with the per-group depth.
  static func checkGroups(_ config: LayerConfig, kernelDepth: Int, inputDepth: Int, filters: Int) throws(Issue) {
    let groups = config.int("groups") ?? 1
    guard groups >= 1, groups <= inputDepth, kernelDepth.multipliedReportingOverflow(by: groups) == (inputDepth, false),
      filters % groups == 0
    else {
      throw Issue("kernel depth \(kernelDepth) × groups \(groups) does not match \(inputDepth) input channels and \(filters) filters")
    }
  }

  mutating func conv2D(_ layer: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    guard input.rank == 4 else { throw Issue("expects a rank-4 input, got \(input.shape)") }
    let kernel = try weight(layer, "kernel")
    guard kernel.shape.count == 4 else { throw Issue("kernel \(kernel.shape) does not match input \(input.shape)") }
    try KerasTFLiteConverter.checkGroups(config, kernelDepth: kernel.shape[2], inputDepth: input.shape[3], filters: kernel.shape[3])
    let (kh, kw, cin, cout) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
    let strides = try KerasTFLiteConverter.bounded(config.ints("strides", count: 2) ?? [1, 1], "strides")
    let dilation = try KerasTFLiteConverter.bounded(config.ints("dilation_rate", count: 2) ?? [1, 1], "dilation_rate")
    let padding = try KerasTFLiteConverter.padding(config)
    let oh = try KerasTFLiteConverter.outputSize(input.shape[1], kernel: kh, stride: strides[0], dilation: dilation[0], padding: padding)
    let ow = try KerasTFLiteConverter.outputSize(input.shape[2], kernel: kw, stride: strides[1], dilation: dilation[1], padding: padding)
    let w = graph.constant(name + "/convolution", shape: [cout, kh, kw, cin],
                           floats: KerasTFLiteConverter.ohwi(kernel.values, kh: kh, kw: kw, cin: cin, cout: cout))
    mark(w, layer, "kernel")
    let b = try bias(layer, name, config: config, count: cout)
    let out = output(name + "/convolution", [1, oh, ow, cout])
    graph.append(ConvertedOps.conv2D, [input.tensor, w, b], [out.tensor],
                 options: ConvertedOps.conv2D(padding: padding, stride: (strides[0], strides[1]), dilation: (dilation[0], dilation[1])),
                 location: KerasTFLiteConverter.biased(config, name, "convolution", order: .conv))
    return try activated(config, out, name)
  }

  /// Conv1D as the converter lowers it: a 1×k CONV_2D between reshapes; "causal" pads on the left.
  mutating func conv1D(_ layer: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    guard input.rank == 3 else { throw Issue("expects a rank-3 input, got \(input.shape)") }
    let kernel = try weight(layer, "kernel")
    guard kernel.shape.count == 3 else { throw Issue("kernel \(kernel.shape) does not match input \(input.shape)") }
    try KerasTFLiteConverter.checkGroups(config, kernelDepth: kernel.shape[1], inputDepth: input.shape[2], filters: kernel.shape[2])
    let (k, cin, cout) = (kernel.shape[0], kernel.shape[1], kernel.shape[2])
    let stride = try KerasTFLiteConverter.bounded([config.ints("strides", count: 1)?.first ?? 1], "strides")[0]
    let dilation = try KerasTFLiteConverter.bounded([config.ints("dilation_rate", count: 1)?.first ?? 1], "dilation_rate")[0]
    var source = input
    var padding: Int64
    if config.string("padding") == "causal" {
      let left = try KerasTFLiteConverter.int32((k - 1) * dilation)
      let pads = graph.constant(name + "/Pad/paddings", int32s: [0, 0, left, 0, 0, 0], shape: [3, 2])
      source = unary(ConvertedOps.pad, input, name + "/Pad", shape: [1, input.shape[1] + Int(left), input.shape[2]],
                     options: ConvertedOps.padOptions(), extra: [pads])
      padding = ConvertedOps.Padding.valid
    } else {
      padding = try KerasTFLiteConverter.padding(config)
    }
    let length = try KerasTFLiteConverter.outputSize(source.shape[1], kernel: k, stride: stride, dilation: dilation, padding: padding)
    let expanded = reshape(source, to: [1, 1, source.shape[1], source.shape[2]], name + "/convolution/ExpandDims")
    let w = graph.constant(name + "/convolution", shape: [cout, 1, k, cin],
                           floats: KerasTFLiteConverter.ohwi(kernel.values, kh: 1, kw: k, cin: cin, cout: cout))
    mark(w, layer, "kernel")
    let b = try bias(layer, name, config: config, count: cout)
    let conv = output(name + "/convolution", [1, 1, length, cout])
    graph.append(ConvertedOps.conv2D, [expanded.tensor, w, b], [conv.tensor],
                 options: ConvertedOps.conv2D(padding: padding, stride: (1, stride), dilation: (1, dilation)),
                 location: KerasTFLiteConverter.biased(config, name, "convolution", order: .conv))
    let activated = try activated(config, conv, name)
    return reshape(activated, to: [1, length, cout], name + "/convolution/Squeeze")
  }

  mutating func depthwise(_ layer: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    guard input.rank == 4 else { throw Issue("expects a rank-4 input, got \(input.shape)") }
    let kernel = try weight(layer, "kernel")
    return try depthwiseOp(layer, name, config, input, kernel: kernel, withBias: true)
  }

  mutating func depthwiseOp(
    _ layer: String, _ name: String, _ config: LayerConfig, _ input: Value, kernel: (values: [Float], shape: [Int]), withBias: Bool
  ) throws(Issue) -> Value {
    guard kernel.shape.count == 4, kernel.shape[2] == input.shape[3] else {
      throw Issue("depthwise kernel \(kernel.shape) does not match input \(input.shape)")
    }
    let (kh, kw, channels, multiplier) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
    let strides = try KerasTFLiteConverter.bounded(config.ints("strides", count: 2) ?? [1, 1], "strides")
    let dilation = try KerasTFLiteConverter.bounded(config.ints("dilation_rate", count: 2) ?? [1, 1], "dilation_rate")
    let padding = try KerasTFLiteConverter.padding(config)
    let oh = try KerasTFLiteConverter.outputSize(input.shape[1], kernel: kh, stride: strides[0], dilation: dilation[0], padding: padding)
    let ow = try KerasTFLiteConverter.outputSize(input.shape[2], kernel: kw, stride: strides[1], dilation: dilation[1], padding: padding)
    // [kh, kw, C, mult] flattens to [1, kh, kw, C·mult] with channel c·mult + m: same bytes.
    let outChannels = channels * multiplier
    let op = withBias ? name + "/depthwise" : name + "/separable_conv2d/depthwise"
    let w = graph.constant(op, shape: [1, kh, kw, outChannels], floats: kernel.values)
    mark(w, layer, hasWeight(layer, "depthwise_kernel") ? "depthwise_kernel" : "kernel")
    let b = withBias ? try bias(layer, name, config: config, count: outChannels)
      : graph.constant(op + "/bias", shape: [outChannels], floats: [Float](repeating: 0, count: outChannels))
    let out = output(op, [1, oh, ow, outChannels])
    graph.append(ConvertedOps.depthwiseConv2D, [input.tensor, w, b], [out.tensor],
                 options: ConvertedOps.depthwise(padding: padding, stride: (strides[0], strides[1]), multiplier: multiplier,
                                                 dilation: (dilation[0], dilation[1])),
                 location: withBias ? KerasTFLiteConverter.biased(config, name, "depthwise", order: .conv) : [op])
    return withBias ? try activated(config, out, name) : out
  }

  /// SeparableConv2D: DEPTHWISE_CONV_2D, then a 1×1 CONV_2D carrying the bias and activation.
  mutating func separable(_ layer: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    guard input.rank == 4 else { throw Issue("expects a rank-4 input, got \(input.shape)") }
    let depthwiseKernel = try weight(layer, "depthwise_kernel"), pointwise = try weight(layer, "pointwise_kernel")
    let mid = try depthwiseOp(layer, name, config, input, kernel: depthwiseKernel, withBias: false)
    guard pointwise.shape.count == 4, pointwise.shape[0] == 1, pointwise.shape[1] == 1, pointwise.shape[2] == mid.shape[3] else {
      throw Issue("pointwise kernel \(pointwise.shape) does not match \(mid.shape)")
    }
    let cout = pointwise.shape[3]
    let w = graph.constant(name + "/separable_conv2d", shape: [cout, 1, 1, mid.shape[3]],
                           floats: KerasTFLiteConverter.ohwi(pointwise.values, kh: 1, kw: 1, cin: mid.shape[3], cout: cout))
    mark(w, layer, "pointwise_kernel")
    let b = try bias(layer, name, config: config, count: cout)
    let out = output(name + "/separable_conv2d", [1, mid.shape[1], mid.shape[2], cout])
    graph.append(ConvertedOps.conv2D, [mid.tensor, w, b], [out.tensor],
                 options: ConvertedOps.conv2D(padding: ConvertedOps.Padding.valid, stride: (1, 1), dilation: (1, 1)),
                 location: KerasTFLiteConverter.biased(config, name, "separable_conv2d", order: .conv))
    return try activated(config, out, name)
  }

  /// The output length of a transposed convolution, Keras' rule: without `output_padding`,
  /// n·s ("same") or n·s + max(k − s, 0) ("valid"); with it, (n − 1)·s + k − 2·pad + output_padding
  /// where pad is k / 2 for "same", 0 for "valid". TRANSPOSE_CONV takes this as its output shape
  /// and pads like TF's conv2d_transpose, so the extra rows and columns come out as Keras' do.
  static func transposedSize(_ n: Int, kernel k: Int, stride s: Int, outputPadding: Int?, same: Bool) throws(Issue) -> Int {
    let size: Int
    if let outputPadding {
      guard outputPadding < s else { throw Issue("output_padding \(outputPadding) must be smaller than the stride \(s)") }
      size = (n - 1) * s + k - 2 * (same ? k / 2 : 0) + outputPadding
    } else {
      size = same ? n * s : n * s + max(k - s, 0)
    }
    guard size > 0, size <= 1 << 24 else { throw Issue("transposed output size \(size) is out of range") }
    return size
  }

  /// Conv2DTranspose → TRANSPOSE_CONV (output shape, OHWI weights, input, bias).
  mutating func transposeConv(_ layer: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    guard input.rank == 4 else { throw Issue("expects a rank-4 input, got \(input.shape)") }
    var outputPadding: [Int]?
    if !config.isNull("output_padding") {
      guard let values = config.ints("output_padding", count: 2) else { throw Issue("output_padding is not understood") }
      outputPadding = try KerasTFLiteConverter.bounded(values, "output_padding", minimum: 0)
    }
    guard (config.ints("dilation_rate", count: 2) ?? [1, 1]) == [1, 1] else { throw Issue("dilated transposed convolution is not converted") }
    let kernel = try weight(layer, "kernel")
    guard kernel.shape.count == 4, kernel.shape[3] == input.shape[3] else {
      throw Issue("kernel \(kernel.shape) does not match input \(input.shape)")
    }
    let (kh, kw, cout, cin) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
    let strides = try KerasTFLiteConverter.bounded(config.ints("strides", count: 2) ?? [1, 1], "strides")
    let padding = try KerasTFLiteConverter.padding(config)
    let same = padding == ConvertedOps.Padding.same
    let oh = try KerasTFLiteConverter.transposedSize(input.shape[1], kernel: kh, stride: strides[0], outputPadding: outputPadding?[0], same: same)
    let ow = try KerasTFLiteConverter.transposedSize(input.shape[2], kernel: kw, stride: strides[1], outputPadding: outputPadding?[1], same: same)
    // [kh, kw, out, in] → [out, kh, kw, in].
    var values = [Float](repeating: 0, count: kernel.values.count)
    for h in 0..<kh { for w in 0..<kw { for o in 0..<cout { for i in 0..<cin {
      values[((o * kh + h) * kw + w) * cin + i] = kernel.values[((h * kw + w) * cout + o) * cin + i]
    } } } }
    // The output shape is computed at run time from the input's batch, as the converter does.
    let outputShape = try batchShape(of: input, [oh, ow, cout], scope: name, packed: name + "/conv_transpose/input_sizes")
    let w = graph.constant(name + "/conv_transpose", shape: [cout, kh, kw, cin], floats: values)
    mark(w, layer, "kernel")
    let b = try bias(layer, name, config: config, count: cout)
    let out = output(name + "/conv_transpose", [1, oh, ow, cout])
    graph.append(ConvertedOps.transposeConv, [outputShape, w, input.tensor, b], [out.tensor],
                 options: ConvertedOps.transposeConv(padding: padding, stride: (strides[0], strides[1])),
                 location: KerasTFLiteConverter.biased(config, name, "conv_transpose", order: .conv))
    return try activated(config, out, name)
  }
}

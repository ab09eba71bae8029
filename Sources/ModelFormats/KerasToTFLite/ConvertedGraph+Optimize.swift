import TensorCore

/// The TF converter's graph clean-ups that change what is stored: per-channel MUL/ADD (a
/// BatchNormalization, a Rescaling) folded into the preceding CONV_2D / DEPTHWISE_CONV_2D /
/// FULLY_CONNECTED, and RELU / RELU6 / RELU_N1_TO_1 fused into the op that feeds them.
extension ConvertedGraph {
  mutating func optimize() {
    foldPadding()
    foldAffine()
    foldScaleIntoDense()
    removeDeadOps()
    fuseActivations()
    removeDeadOps()
    dropZeroDenseBias()
  }

  /// The converter leaves an all-zero FULLY_CONNECTED bias out (input −1).
  mutating func dropZeroDenseBias() {
    for i in ops.indices where ops[i].code == ConvertedOps.fullyConnected && ops[i].inputs.count == 3 {
      if let bias = floats(ops[i].inputs[2]), bias.allSatisfy({ $0 == 0 }) { ops[i].inputs[2] = -1 }
    }
  }

  /// The op writing each tensor.
  func producers() -> [Int: Int] {
    var map: [Int: Int] = [:]
    for (i, op) in ops.enumerated() { for t in op.outputs { map[t] = i } }
    return map
  }

  func isGraphOutput(_ tensor: Int) -> Bool { outputs.contains { $0.tensor == tensor } }

  /// Output channels of a foldable op, with its weight and bias tensors.
  func foldTarget(_ op: Op) -> (weight: Int, bias: Int, channels: Int)? {
    guard [ConvertedOps.conv2D, ConvertedOps.depthwiseConv2D, ConvertedOps.fullyConnected].contains(op.code),
      op.fusedActivation == ConvertedOps.Fused.none, op.inputs.count == 3, op.inputs[2] >= 0,
      floats(op.inputs[1]) != nil, floats(op.inputs[2]) != nil
    else { return nil }
    let shape = tensors[op.inputs[1]].shape
    let channels = op.code == ConvertedOps.depthwiseConv2D ? (shape.last ?? 0) : (shape.first ?? 0)
    return (op.inputs[1], op.inputs[2], channels)
  }

  /// A per-channel constant operand of a MUL/ADD/SUB whose other operand is `input`.
  func channelConstant(_ op: Op, channels: Int) -> (input: Int, values: [Float], constant: Int)? {
    guard op.inputs.count == 2, op.fusedActivation == ConvertedOps.Fused.none else { return nil }
    for (k, c) in op.inputs.enumerated() {
      guard let values = floats(c), tensors[c].shape.count <= 1 else { continue }
      let other = op.inputs[1 - k]
      if values.count == channels { return (other, values, c) }
      if values.count == 1 { return (other, [Float](repeating: values[0], count: channels), c) }
    }
    return nil
  }

  mutating func foldAffine() {
    var counts = useCounts()
    var producer = producers()
    for i in ops.indices {
      let op = ops[i]
      guard op.code == ConvertedOps.mul || op.code == ConvertedOps.add,
        let source = op.inputs.first(where: { floats($0) == nil }), let p = producer[source], p != i, counts[source] == 1, !isGraphOutput(source),
        let target = foldTarget(ops[p]), let (input, values, constant) = channelConstant(op, channels: target.channels),
        input == source, target.channels > 0
      else { continue }
      guard var weight = floats(target.weight), var bias = floats(target.bias), bias.count == target.channels else { continue }
      let constantName = tensors[constant].name
      if op.code == ConvertedOps.mul {
        // Named as the converter names them: a depthwise kernel (or any op with its own bias)
        // carries the scale's MUL in its name; a plain conv keeps its kernel's name.
        if ops[p].code == ConvertedOps.depthwiseConv2D {
          tensors[target.weight].name = (op.location + [tensors[target.weight].name, constantName]).joined(separator: ";")
        }
        if ops[p].code == ConvertedOps.depthwiseConv2D || ops[p].location.contains(where: { $0.hasSuffix("/BiasAdd") }) {
          ops[p].location = op.location + ops[p].location + [constantName]
        }
        let perChannelLast = ops[p].code == ConvertedOps.depthwiseConv2D
        let inner = weight.count / target.channels
        for idx in weight.indices {
          let c = perChannelLast ? idx % target.channels : idx / max(inner, 1)
          weight[idx] *= values[c]
        }
        for c in bias.indices { bias[c] *= values[c] }
        tensors[target.weight].data = .floats(weight)
      } else {
        for c in bias.indices { bias[c] += values[c] }
        ops[p].location = op.location + ops[p].location + [constantName]
      }
      tensors[target.bias].data = .floats(bias)
      ops[p].outputs = op.outputs
      for o in op.outputs { producer[o] = p }
      ops[i].code = -1
      counts[source] = 0
    }
  }

  /// A MUL marked ``Op/scalesFollowingDense`` whose result only a FULLY_CONNECTED reads (as its
  /// input, with constant weights of its own) is folded into those weights, as the converter
  /// folds a Bidirectional `ave` merge's ½: the weights are multiplied, the bias is not.
  mutating func foldScaleIntoDense() {
    let counts = useCounts()
    for i in ops.indices where ops[i].code == ConvertedOps.mul && ops[i].scalesFollowingDense && ops[i].inputs.count == 2 {
      let op = ops[i]
      guard let scaled = op.outputs.first, op.outputs.count == 1, counts[scaled] == 1, !isGraphOutput(scaled),
        let k = op.inputs.firstIndex(where: { floats($0)?.count == 1 }), let factor = floats(op.inputs[k])?.first,
        let d = ops.indices.first(where: { ops[$0].code == ConvertedOps.fullyConnected && ops[$0].inputs.first == scaled }),
        ops[d].inputs.count > 1, var weight = floats(ops[d].inputs[1]), counts[ops[d].inputs[1]] == 1
      else { continue }
      for idx in weight.indices { weight[idx] *= factor }
      tensors[ops[d].inputs[1]].data = .floats(weight)
      // The converter names the folded weights after the whole dense op (MatMul;BiasAdd).
      if !ops[d].location.isEmpty { tensors[ops[d].inputs[1]].name = ops[d].location.joined(separator: ";") }
      ops[d].inputs[0] = op.inputs[1 - k]
      ops[i].code = -1
    }
  }

  mutating func fuseActivations() {
    let counts = useCounts()
    let producer = producers()
    for i in ops.indices {
      let op = ops[i]
      guard let fused = ConvertedOps.fusable(op.code), let source = op.inputs.first, let p = producer[source],
        counts[source] == 1, !isGraphOutput(source), ops[p].code >= 0, let field = ops[p].fusedField,
        ops[p].fusedActivation == ConvertedOps.Fused.none
      else { continue }
      ops[p].options?.setScalar(field, bits: UInt64(UInt8(bitPattern: fused)), size: 1)
      // The converter lists a dense layer's activation after its MatMul, others' first.
      let at = ops[p].code == ConvertedOps.fullyConnected && !ops[p].location.isEmpty ? 1 : 0
      ops[p].location.insert(contentsOf: op.location, at: at)
      ops[p].outputs = op.outputs
      ops[i].code = -1
    }
  }

  /// A zero PAD in front of a VALID convolution that pads exactly as SAME would becomes SAME
  /// padding (ZeroPadding2D + strided conv in MobileNet-style models).
  mutating func foldPadding() {
    let counts = useCounts()
    let producer = producers()
    for i in ops.indices {
      let op = ops[i]
      guard op.code == ConvertedOps.conv2D || op.code == ConvertedOps.depthwiseConv2D, let options = op.options,
        options.int8(0) == Int8(ConvertedOps.Padding.valid), let padded = op.inputs.first, let p = producer[padded],
        ops[p].code == ConvertedOps.pad, counts[padded] == 1, !isGraphOutput(padded), ops[p].inputs.count == 2,
        case let .int32s(pads)? = tensors[ops[p].inputs[1]].data, pads.count == 8,
        pads[0] == 0, pads[1] == 0, pads[6] == 0, pads[7] == 0, op.inputs.count > 1
      else { continue }
      let source = ops[p].inputs[0]
      let kernel = tensors[op.inputs[1]].shape, input = tensors[source].shape
      guard kernel.count == 4, input.count == 4 else { continue }
      let depthwise = op.code == ConvertedOps.depthwiseConv2D
      let strides = [Int(options.int32(2, default: 1)), Int(options.int32(1, default: 1))]
      let dilations = depthwise ? [Int(options.int32(6, default: 1)), Int(options.int32(5, default: 1))]
        : [Int(options.int32(5, default: 1)), Int(options.int32(4, default: 1))]
      var matches = true
      for d in 0..<2 {
        let size = input[d + 1], stride = max(strides[d], 1), k = (kernel[d + 1] - 1) * dilations[d] + 1
        let out = (size + stride - 1) / stride
        let total = max((out - 1) * stride + k - size, 0)
        if Int(pads[2 + 2 * d]) != total / 2 || Int(pads[3 + 2 * d]) != total - total / 2 { matches = false }
      }
      guard matches else { continue }
      ops[i].inputs[0] = source
      ops[i].options?.setScalar(0, bits: UInt64(ConvertedOps.Padding.same), size: 1)
      ops[i].location += [""] + ops[p].location
      ops[p].code = -1
    }
    removeDeadOps()
  }

  mutating func removeDeadOps() { ops.removeAll { $0.code < 0 } }
}

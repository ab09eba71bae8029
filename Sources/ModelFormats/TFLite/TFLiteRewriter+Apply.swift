import TensorCore

/// A weight's new contents in TFLite terms.
struct TFLiteStoredWeight {
  var type: TFLiteSchema.TensorType
  var bytes: [UInt8]
  var scales: [Float] = []
  var zeroPoints: [Int64] = []
  /// The per-channel axis, nil for one scale (or no quantization).
  var axis: Int?
  /// False for asymmetric schemes and ranges reaching -128: hybrid kernels assume [-qmax, qmax].
  var fitsHybridKernels = true
  var isSymmetric: Bool { fitsHybridKernels && zeroPoints.allSatisfy { $0 == 0 } }
  var isQuantized: Bool { !scales.isEmpty }
}

extension TFLiteRewriter {
  /// Whether writing `encoding` to tensor `t` changes nothing: float32 asked for a float32 weight.
  func isNoOp(_ s: Int, _ t: Int, encoding: QuantEncoding) -> Bool {
    encoding == .float32 && type(s, t) == .float32 && file.subgraphs[s].tensors[t].quantization == nil
  }

  /// Why tensor `t` of subgraph `s` cannot be stored as `encoding` (any re-encoding when nil),
  /// or nil when it can.
  func unsupportedReason(_ s: Int, _ t: Int, encoding: QuantEncoding? = nil) -> String? {
    let sg = file.subgraphs[s]
    let tensor = sg.tensors[t]
    if tensor.isSparse { return "it is stored sparse (DENSIFY); sparse weights are kept as they are" }
    if tensor.isVariable { return "it is a variable tensor" }
    if sg.outputs.contains(t) || sg.inputs.contains(t) { return "it is a subgraph input or output" }
    guard let type = type(s, t), [.float32, .float16, .int8, .int4].contains(type) else {
      return "its type is not a float or int8/int4 weight"
    }
    let uses = liveUses(s, t)
    if uses.isEmpty { return "no op reads it" }
    for use in uses {
      let op = graphs[s].ops[use.op]
      let opCode = code(op)
      if opCode == TFLiteSchema.Op.custom || opCode == TFLiteSchema.Op.densify {
        return "it feeds \(TFLiteSchema.opName(opCode)) (#\(use.op)), whose weight layout is unknown"
      }
      if TFLiteSchema.Op.recurrent.contains(opCode) {
        if let encoding, isNoOp(s, t, encoding: encoding) { continue }
        if let reason = recurrentProblem(s, t, use: use, encoding: encoding) { return reason }
        continue
      }
      let out = op.outputs.first ?? -1
      let outType = self.type(s, out)
      let gatherInt8 = opCode == TFLiteSchema.Op.gather && outType == .int8
      if outType != .float32 && !gatherInt8 {
        return "it feeds \(TFLiteSchema.opName(opCode)) #\(use.op) with non-float output (a full-integer op ties weight and bias scales)"
      }
    }
    return nil
  }

  /// The ops that compute with `t`, looking through DEQUANTIZE (current state of the graph).
  func liveUses(_ s: Int, _ t: Int) -> [TFLiteUse] {
    var result: [TFLiteUse] = []
    for (op, slot) in readers(s, t) {
      if code(graphs[s].ops[op]) == TFLiteSchema.Op.dequantize, let out = graphs[s].ops[op].outputs.first {
        for (next, nextSlot) in readers(s, out) { result.append(TFLiteUse(op: next, slot: nextSlot, via: op)) }
      } else {
        result.append(TFLiteUse(op: op, slot: slot, via: nil))
      }
    }
    return result
  }

  /// Whether op `code` can read `weight` in input `slot` directly (a hybrid kernel), rather than
  /// through a DEQUANTIZE.
  static func readsDirectly(_ weight: TFLiteStoredWeight, code: Int32, slot: Int) -> Bool {
    if weight.type == .float32 { return true }
    guard weight.isQuantized, weight.isSymmetric else { return false }
    let axis = weight.axis
    switch (weight.type, code, slot) {
    case (.int8, TFLiteSchema.Op.conv2D, 1), (.int8, TFLiteSchema.Op.fullyConnected, 1),
      (.int8, TFLiteSchema.Op.transposeConv, 1), (.int4, TFLiteSchema.Op.fullyConnected, 1):
      return axis == nil || axis == 0
    case (.int8, TFLiteSchema.Op.depthwiseConv2D, 1):
      return axis == 3  // a per-tensor hybrid depthwise kernel silently computes garbage
    case (.int8, TFLiteSchema.Op.batchMatMul, 1), (.int8, TFLiteSchema.Op.gather, 0):
      return axis == nil
    case (.int8, TFLiteRecurrentWeights.rnn, _), (.int8, TFLiteRecurrentWeights.svdf, _),
      (.int8, TFLiteRecurrentWeights.unidirectionalRNN, _), (.int8, TFLiteRecurrentWeights.unidirectionalLSTM, _),
      (.int8, TFLiteSchema.Op.lstm, _):
      // Hybrid recurrent kernels: one scale per weight (``unsupportedReason`` admits only those slots).
      return axis == nil && weight.scales.count == 1
    case (.int8, TFLiteSchema.Op.embeddingLookup, 1), (.int4, TFLiteSchema.Op.embeddingLookup, 1):
      // The converter folds the DEQUANTIZE into the lookup; LiteRT's hybrid lookup scales rows by
      // one scale or one per row, and refuses a non-zero zero point.
      return axis == nil || axis == 0
    default:
      return false
    }
  }

  /// Rewrites tensor `t` of subgraph `s` to `weight`, rewiring its consumers.
  mutating func rewrite(_ s: Int, _ t: Int, to weight: TFLiteStoredWeight) {
    let uses = liveUses(s, t)
    // The tensor itself: new type, quantization and its own buffer (splits shared buffers).
    var tensor = graphs[s].tensors[t]
    orphanCandidates.insert(Int(tensor.uint32(TFLiteSchema.TensorField.buffer)))
    if weight.type == .float32 {
      tensor.fields[TFLiteSchema.TensorField.type] = nil
    } else {
      tensor.setScalar(TFLiteSchema.TensorField.type, bits: UInt64(UInt8(bitPattern: weight.type.rawValue)), size: 1)
    }
    tensor.fields[TFLiteSchema.TensorField.quantization] = weight.isQuantized
      ? .table(Self.quantizationTable(scales: weight.scales, zeroPoints: weight.zeroPoints, axis: weight.axis ?? 0))
      : nil
    let buffer = appendBuffer(weight.bytes)
    tensor.setScalar(TFLiteSchema.TensorField.buffer, bits: UInt64(buffer), size: 4)
    graphs[s].tensors[t] = tensor
    rewrittenTensors.insert([s, t])

    for use in uses {
      let opCode = code(graphs[s].ops[use.op])
      let gatherOut = graphs[s].ops[use.op].outputs.first ?? -1
      let outputIsFixed = opCode == TFLiteSchema.Op.gather && graphs[s].outputs.contains(gatherOut)
      if Self.readsDirectly(weight, code: opCode, slot: use.slot) && !outputIsFixed {
        graphs[s].ops[use.op].inputs[use.slot] = t
        if let via = use.via { graphs[s].ops[via].touched = true }
        if weight.isQuantized { setAsymmetricInputs(s, use.op, code: opCode) }
        if opCode == TFLiteSchema.Op.gather {
          setGatherOutput(s, use.op, quantization: weight.isQuantized ? weight : nil)
        }
      } else {
        if opCode == TFLiteSchema.Op.gather { setGatherOutput(s, use.op, quantization: nil) }
        if let via = use.via, code(graphs[s].ops[via]) == TFLiteSchema.Op.dequantize {
          graphs[s].ops[via].touched = true
        } else {
          graphs[s].ops[use.op].inputs[use.slot] = dequantizedTensor(s, of: t)
        }
      }
      graphs[s].ops[use.op].touched = true
    }
  }

  /// The float tensor a (new) DEQUANTIZE of `t` produces.
  mutating func dequantizedTensor(_ s: Int, of t: Int) -> Int {
    if let existing = graphs[s].dequantized[t] { return existing }
    let output = appendFloatTensor(s, name: tensorName(s, t) + "_dequantize", like: t)
    let op = makeDequantize(s, from: t, to: output)
    graphs[s].prepend.append(op)
    graphs[s].dequantized[t] = output
    return output
  }

  /// FULLY_CONNECTED, BATCH_MATMUL and the recurrent hybrids quantize activations asymmetrically,
  /// as the converter always sets.
  mutating func setAsymmetricInputs(_ s: Int, _ op: Int, code: Int32) {
    if TFLiteRecurrentWeights.layouts[code] != nil {
      var table = graphs[s].ops[op].table
      guard let (tag, options) = TFLiteRecurrentWeights.optionsWithAsymmetricInputs(
        code: code, table: table.table(TFLiteSchema.OperatorField.options))
      else { return }
      table.setScalar(TFLiteSchema.OperatorField.optionsType, bits: UInt64(tag), size: 1)
      table.fields[TFLiteSchema.OperatorField.options] = .table(options)
      graphs[s].ops[op].table = table
      return
    }
    let (tag, type, field): (UInt8, String, Int)
    switch code {
    case TFLiteSchema.Op.fullyConnected: (tag, type, field) = (TFLiteSchema.OptionsTag.fullyConnected, "FullyConnectedOptions", 3)
    case TFLiteSchema.Op.batchMatMul: (tag, type, field) = (TFLiteSchema.OptionsTag.batchMatMul, "BatchMatMulOptions", 2)
    default: return
    }
    var table = graphs[s].ops[op].table
    var options = table.table(TFLiteSchema.OperatorField.options) ?? FlatBufferTable(type: type)
    guard options.type == type else { return }
    options.setScalar(field, bits: 1, size: 1)
    table.setScalar(TFLiteSchema.OperatorField.optionsType, bits: UInt64(tag), size: 1)
    table.fields[TFLiteSchema.OperatorField.options] = .table(options)
    graphs[s].ops[op].table = table
  }
}

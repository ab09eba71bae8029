import TensorCore

extension TFLiteFormat {
  /// The main subgraph (0) as a format-neutral ``ModelGraph``: every tensor, every op with its
  /// options decoded into named attributes, and the signature's input/output names.
  public static func graph(of file: TFLiteFile, tensorRefs: [(subgraph: Int, tensor: Int)]) -> ModelGraph? {
    guard let subgraph = file.subgraphs.first else { return nil }
    var modelIndex: [Int: Int] = [:]
    for (index, ref) in tensorRefs.enumerated() where ref.subgraph == 0 { modelIndex[ref.tensor] = index }
    let tensorTables = file.root.tables(TFLiteSchema.ModelField.subgraphs).first?.tables(TFLiteSchema.SubGraphField.tensors) ?? []
    let tensors = subgraph.tensors.enumerated().map { t, tensor -> ModelGraph.Tensor in
      ModelGraph.Tensor(
        name: tensor.name, shape: tensor.shape, dtype: tensor.type?.dtype,
        constant: modelIndex[t].map { .modelTensor($0) }, quantization: tensor.quantization,
        sparsity: tensor.isSparse && t < tensorTables.count ? sparsity(of: tensorTables[t], in: file.file.bytes) : nil)
    }
    let opTables = file.root.tables(TFLiteSchema.ModelField.subgraphs).first?.tables(TFLiteSchema.SubGraphField.operators) ?? []
    let ops = subgraph.operators.enumerated().map { i, op -> ModelGraph.Op in
      let code = file.operatorCodes[op.opcodeIndex]
      let options = i < opTables.count ? opTables[i].table(TFLiteSchema.OperatorField.options) : nil
      return ModelGraph.Op(
        type: code.name, inputs: op.inputs, outputs: op.outputs,
        attributes: options.map { TFLiteOptionFields.attributes(of: $0, in: file.file.bytes) } ?? [:])
    }
    let signature = file.signatures.first { $0.subgraph == 0 }
    func endpoints(_ list: [Int], _ named: [(name: String, tensor: Int)]?) -> [ModelGraph.Endpoint] {
      list.map { t in
        ModelGraph.Endpoint(name: named?.first { $0.tensor == t }?.name ?? subgraph.tensors[t].name, tensor: t)
      }
    }
    return ModelGraph(
      tensors: tensors, ops: ops, inputs: endpoints(subgraph.inputs, signature?.inputs),
      outputs: endpoints(subgraph.outputs, signature?.outputs))
  }

  /// Whether LiteRT's builtin kernel for `opType` reads a weight with `encoding` in `slot` directly
  /// (a hybrid kernel that quantizes activations at run time), as the writer would wire it.
  public static func runsHybrid(opType: String, slot: Int, encoding: QuantEncoding, channelAxis: Int) -> Bool {
    guard case let .linear(linear) = encoding else { return false }
    let code: Int32
    switch opType {
    case "CONV_2D": code = TFLiteSchema.Op.conv2D
    case "DEPTHWISE_CONV_2D": code = TFLiteSchema.Op.depthwiseConv2D
    case "FULLY_CONNECTED": code = TFLiteSchema.Op.fullyConnected
    case "TRANSPOSE_CONV": code = TFLiteSchema.Op.transposeConv
    case "BATCH_MATMUL": code = TFLiteSchema.Op.batchMatMul
    case "UNIDIRECTIONAL_SEQUENCE_LSTM": code = TFLiteRecurrentWeights.unidirectionalLSTM
    case "LSTM": code = TFLiteSchema.Op.lstm
    case "RNN": code = TFLiteRecurrentWeights.rnn
    case "UNIDIRECTIONAL_SEQUENCE_RNN": code = TFLiteRecurrentWeights.unidirectionalRNN
    case "SVDF": code = TFLiteRecurrentWeights.svdf
    default: return false
    }
    var axis: Int? = nil
    switch linear.granularity {
    case .tensor: break
    case let .channel(a): axis = a
    case .group: return false
    }
    let weight = TFLiteStoredWeight(
      type: linear.bits == 4 ? .int4 : .int8, bytes: [], scales: [1], zeroPoints: [0], axis: axis,
      fitsHybridKernels: !linear.asymmetric && linear.qmin >= -linear.qmax)
    return TFLiteRewriter.readsDirectly(weight, code: code, slot: slot)
  }
}

/// Names and kinds of the option-table fields the evaluator uses (schema field ids).
enum TFLiteOptionFields {
  enum Kind { case int8, int32, bool, float, ints, padding, activation }
  typealias Field = (id: Int, name: String, kind: Kind, defaultValue: Int)

  static let fields: [String: [Field]] = [
    "Conv2DOptions": [(0, "padding", .padding, 0), (1, "stride_w", .int32, 1), (2, "stride_h", .int32, 1),
                      (3, "fused_activation_function", .activation, 0), (4, "dilation_w_factor", .int32, 1),
                      (5, "dilation_h_factor", .int32, 1)],
    "DepthwiseConv2DOptions": [(0, "padding", .padding, 0), (1, "stride_w", .int32, 1), (2, "stride_h", .int32, 1),
                               (3, "depth_multiplier", .int32, 0), (4, "fused_activation_function", .activation, 0),
                               (5, "dilation_w_factor", .int32, 1), (6, "dilation_h_factor", .int32, 1)],
    "Pool2DOptions": [(0, "padding", .padding, 0), (1, "stride_w", .int32, 1), (2, "stride_h", .int32, 1),
                      (3, "filter_width", .int32, 1), (4, "filter_height", .int32, 1),
                      (5, "fused_activation_function", .activation, 0)],
    "FullyConnectedOptions": [(0, "fused_activation_function", .activation, 0), (1, "weights_format", .int8, 0),
                              (2, "keep_num_dims", .bool, 0), (3, "asymmetric_quantize_inputs", .bool, 0)],
    "SoftmaxOptions": [(0, "beta", .float, 0)],
    "ConcatenationOptions": [(0, "axis", .int32, 0), (1, "fused_activation_function", .activation, 0)],
    "AddOptions": [(0, "fused_activation_function", .activation, 0)],
    "SubOptions": [(0, "fused_activation_function", .activation, 0)],
    "MulOptions": [(0, "fused_activation_function", .activation, 0)],
    "DivOptions": [(0, "fused_activation_function", .activation, 0)],
    "L2NormOptions": [(0, "fused_activation_function", .activation, 0)],
    "ReshapeOptions": [(0, "new_shape", .ints, 0)],
    "BatchMatMulOptions": [(0, "adj_x", .bool, 0), (1, "adj_y", .bool, 0), (2, "asymmetric_quantize_inputs", .bool, 0)],
    "ReducerOptions": [(0, "keep_dims", .bool, 0)],
    "GatherOptions": [(0, "axis", .int32, 0), (1, "batch_dims", .int32, 0)],
    "SqueezeOptions": [(0, "squeeze_dims", .ints, 0)],
    "StridedSliceOptions": [(0, "begin_mask", .int32, 0), (1, "end_mask", .int32, 0), (2, "ellipsis_mask", .int32, 0),
                            (3, "new_axis_mask", .int32, 0), (4, "shrink_axis_mask", .int32, 0), (5, "offset", .bool, 0)],
    "SplitOptions": [(0, "num_splits", .int32, 0)],
    "PackOptions": [(0, "values_count", .int32, 0), (1, "axis", .int32, 0)],
    "LeakyReluOptions": [(0, "alpha", .float, 0)],
    "ResizeBilinearOptions": [(2, "align_corners", .bool, 0), (3, "half_pixel_centers", .bool, 0)],
    "ResizeNearestNeighborOptions": [(0, "align_corners", .bool, 0), (1, "half_pixel_centers", .bool, 0)],
    "MirrorPadOptions": [(0, "mode", .int8, 0)],
    "TransposeConvOptions": [(0, "padding", .padding, 0), (1, "stride_w", .int32, 1), (2, "stride_h", .int32, 1),
                             (3, "fused_activation_function", .activation, 0)],
    "GeluOptions": [(0, "approximate", .bool, 0)],
    "UnidirectionalSequenceLSTMOptions": [(0, "fused_activation_function", .activation, 0), (1, "cell_clip", .float, 0),
                                          (2, "proj_clip", .float, 0), (3, "time_major", .bool, 0),
                                          (4, "asymmetric_quantize_inputs", .bool, 0),
                                          (5, "diagonal_recurrent_tensors", .bool, 0)],
  ]

  static let activations = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"]

  static func attributes(of table: FlatBufferTable, in bytes: UnsafeRawBufferPointer) -> [String: ModelGraph.Attribute] {
    var result: [String: ModelGraph.Attribute] = [:]
    for field in fields[table.type] ?? [] {
      switch field.kind {
      case .int8: result[field.name] = .int(Int(table.int8(field.id, default: Int8(clamping: field.defaultValue))))
      case .int32: result[field.name] = .int(Int(table.int32(field.id, default: Int32(clamping: field.defaultValue))))
      case .bool: result[field.name] = .bool(table.bool(field.id, default: field.defaultValue != 0))
      case .float:
        let bits = table.bits(field.id).map { UInt32(truncatingIfNeeded: $0) } ?? 0
        result[field.name] = .float(Float(bitPattern: bits))
      case .padding: result[field.name] = .string(table.int8(field.id) == 1 ? "VALID" : "SAME")
      case .activation:
        let value = Int(table.int8(field.id))
        result[field.name] = .string(value >= 0 && value < activations.count ? activations[value] : "UNKNOWN_\(value)")
      case .ints:
        guard let vector = table.vectorBytes(field.id) else { continue }
        let raw: [UInt8]
        switch vector {
        case let .owned(owned): raw = owned
        case .source: raw = vector.array(in: bytes)
        }
        var values: [Int] = []
        var reader = 0
        while reader + 4 <= raw.count {
          let b0 = UInt32(raw[reader]), b1 = UInt32(raw[reader + 1]) << 8
          let b2 = UInt32(raw[reader + 2]) << 16, b3 = UInt32(raw[reader + 3]) << 24
          values.append(Int(Int32(bitPattern: b0 | b1 | b2 | b3)))
          reader += 4
        }
        result[field.name] = .ints(values)
      }
    }
    return result
  }
}

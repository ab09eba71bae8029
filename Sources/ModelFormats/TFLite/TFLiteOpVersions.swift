/// Op versions as the converter's versioning rules (op_version.cc) assign them, for the ops the
/// writer changes, and the minimum runtime each version needs (runtime_version.cc).
enum TFLiteOpVersions {
  /// What the version rules look at for one op.
  struct Signature {
    var code: Int32
    /// Input tensor types (nil for an omitted optional input).
    var inputTypes: [TFLiteSchema.TensorType?]
    var outputType: TFLiteSchema.TensorType?
    /// Whether input 1 carries more than one scale.
    var weightPerChannel: Bool
    var options: FlatBufferTable?
    /// A CONV_2D whose filter is shallower than its input (groups > 1).
    var groupedConvolution = false
  }

  /// The version for `sig`, or nil when we do not model the op (its version is then kept).
  static func version(_ sig: Signature) -> Int32? {
    let input0 = sig.inputTypes.first ?? nil
    let input1 = sig.inputTypes.count > 1 ? sig.inputTypes[1] : nil
    let floatIn = input0 == .float32, floatOut = sig.outputType == .float32
    switch sig.code {
    case TFLiteSchema.Op.conv2D:
      guard floatIn, floatOut else { return nil }
      if sig.groupedConvolution { return 6 }
      if input1 == .int8 { return sig.weightPerChannel ? 5 : 2 }
      return input1 == .float32 ? 1 : nil
    case TFLiteSchema.Op.depthwiseConv2D:
      guard floatIn, floatOut else { return nil }
      if input1 == .int8 { return sig.weightPerChannel ? 6 : 4 }
      guard input1 == .float32 else { return nil }
      let dilated = (sig.options?.int32(5, default: 1) ?? 1) != 1 || (sig.options?.int32(6, default: 1) ?? 1) != 1
      return dilated ? 2 : 1
    case TFLiteSchema.Op.fullyConnected:
      guard floatIn, floatOut else { return nil }
      if input1 == .int8 && sig.weightPerChannel { return 12 }
      if sig.inputTypes.count == 2 { return 6 }
      if sig.options?.bool(2) ?? false { return 5 }
      if input1 == .int8 { return (sig.options?.bool(3) ?? false) ? 9 : 3 }
      if (sig.options?.int8(1) ?? 0) == 1 { return 2 }
      return 1
    case TFLiteSchema.Op.batchMatMul:
      guard floatIn, floatOut else { return nil }
      if input1 == .int8 && (sig.options?.bool(2) ?? false) { return 4 }
      return 1
    case TFLiteSchema.Op.transposeConv:
      guard sig.inputTypes.count > 2, sig.inputTypes[2] == .float32 else { return nil }
      if (sig.options?.int8(3) ?? 0) != 0 { return 4 }
      if sig.inputTypes.count == 4 && sig.inputTypes[3] != nil { return 3 }
      return input1 == .int8 ? 2 : 1
    case TFLiteSchema.Op.dequantize:
      switch input0 {
      case .int4: return 6
      case .int16, .float16: return 3
      case .int8: return sig.weightPerChannel ? 5 : 2
      default: return 1
      }
    case TFLiteSchema.Op.embeddingLookup:
      // Hybrid lookup (int8/int4 table, float rows out): 4 for INT4 or per-channel scales.
      return input1 == .int4 || (input1 == .int8 && sig.weightPerChannel) ? 4 : 1
    case TFLiteSchema.Op.gather:
      guard (sig.options?.int32(1) ?? 0) == 0, input1 != .int16 else { return nil }
      switch input0 {
      case .int4: return 7
      case .int16: return 4
      case .bool: return 3
      case .int8: return 2
      default: return 1
      }
    default:
      return TFLiteRecurrentWeights.version(sig)
    }
  }

  /// Minimum runtime per (op, version), for the ops our fixtures and the common float models use.
  static let runtime: [Int32: [String]] = [
    0: ["1.5.0", "1.14.0", "2.4.0", "2.6.0", "2.13.0", "2.23.0"],  // ADD
    1: ["1.5.0", "1.14.0", "2.3.0"],  // AVERAGE_POOL_2D
    2: ["1.5.0", "1.14.0", "2.3.0", "2.14.0", "2.21.0", "2.23.0"],  // CONCATENATION
    3: ["1.5.0", "1.14.0", "1.14.0", "2.3.0", "2.4.0", "2.9.0", "2.11.0", "2.15.0"],  // CONV_2D
    4: ["1.5.0", "1.12.0", "1.14.0", "2.2.0", "2.3.0", "2.3.0", "2.11.0"],  // DEPTHWISE_CONV_2D
    6: ["1.13.1", "1.14.0", "1.15.0", "2.2.0", "2.7.0"],  // DEQUANTIZE
    7: ["1.13.0", "1.14.0", "1.14.0", "2.18.0", "2.21.0"],  // EMBEDDING_LOOKUP
    9: ["1.5.0", "1.10.0", "1.14.0", "1.14.0", "2.0.0", "2.1.0", "2.3.0", "2.3.0", "2.3.0", "2.11.0", "2.15.0",
        "2.17.0", "2.18.0", "2.21.0"],  // FULLY_CONNECTED
    16: ["1.7.0", "1.10.0", "1.14.0", "2.3.0"],  // LSTM
    17: ["1.5.0", "1.14.0", "2.3.0"],  // MAX_POOL_2D
    18: ["1.5.0", "1.14.0", "1.15.0", "2.3.0", "2.6.0", "2.11.0", "2.13.0", "2.23.0"],  // MUL
    22: ["1.5.0"],  // RESHAPE
    24: ["1.5.0", "1.14.0", "2.3.0"],  // RNN
    25: ["1.5.0", "1.14.0", "2.3.0", "2.23.0"],  // SOFTMAX
    27: ["1.5.0", "1.14.0", "2.2.0", "2.3.0"],  // SVDF
    36: ["1.6.0", "1.14.0", "1.15.0", "2.4.0", "2.5.0", "2.13.0", "2.15.0"],  // GATHER
    40: ["1.6.0", "1.14.0", "2.4.0"],  // MEAN
    44: ["1.13.1", "1.14.0", "2.3.0", "2.12.0"],  // UNIDIRECTIONAL_SEQUENCE_LSTM
    45: ["1.6.0", "1.14.0", "2.1.0", "2.2.0", "2.5.0", "2.6.0", "2.14.0", "2.14.0"],  // STRIDED_SLICE
    67: ["1.9.0", "2.2.0", "2.3.0"],  // TRANSPOSE_CONV (v1–3)
    105: ["1.14.0", "2.2.0", "2.5.0"],  // REVERSE_V2
    124: ["2.2.0"],  // DENSIFY
    126: ["2.3.0", "2.3.0", "2.4.0", "2.5.0"],  // BATCH_MATMUL
  ]

  static func runtimeVersion(code: Int32, version: Int32) -> String? {
    guard let list = runtime[code], version >= 1, Int(version) <= list.count else { return nil }
    return list[Int(version) - 1]
  }

  /// Orders "2.17.0" after "2.4.0".
  static func isLess(_ a: String, _ b: String) -> Bool {
    let x = a.split(separator: ".").map { Int($0) ?? 0 }, y = b.split(separator: ".").map { Int($0) ?? 0 }
    for i in 0..<max(x.count, y.count) {
      let p = i < x.count ? x[i] : 0, q = i < y.count ? y[i] : 0
      if p != q { return p < q }
    }
    return false
  }
}

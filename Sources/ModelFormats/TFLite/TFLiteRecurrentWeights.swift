import TensorCore

/// The weights of a recurrent op (LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM, RNN,
/// UNIDIRECTIONAL_SEQUENCE_RNN, SVDF) as a group. Their kernels choose float or hybrid for the whole
/// op from one weight's type, so the weights are quantized all together or not at all: int8,
/// one scale per tensor, zero point 0, with `asymmetric_quantize_inputs` set — what the TF
/// converter's dynamic-range quantization writes for a fused UNIDIRECTIONAL_SEQUENCE_LSTM.
enum TFLiteRecurrentWeights {
  /// One recurrent op code's layout: its weight input slots and its options table.
  struct Layout {
    /// Weight slots that must be present.
    var required: [Int]
    /// Weight slots that may be omitted (-1): the input gate (CIFG) and the projection.
    var optional: [Int]
    /// Inputs that, when present, keep the op float: peepholes, which the hybrid kernels read
    /// in their own int8 layout we do not write.
    var unsupported: [Int]
    /// The fewest inputs a well-formed op has.
    var minimumInputs: Int
    var optionsType: String
    var optionsTag: UInt8
    /// Field id of `asymmetric_quantize_inputs` in the options table.
    var asymmetricField: Int
  }

  static let layouts: [Int32: Layout] = [
    TFLiteSchema.Op.lstm: Layout(required: [2, 3, 4, 6, 7, 8], optional: [1, 5, 16], unsupported: [9, 10, 11],
                                 minimumInputs: 20, optionsType: "LSTMOptions", optionsTag: 14, asymmetricField: 4),
    unidirectionalLSTM: Layout(required: [2, 3, 4, 6, 7, 8], optional: [1, 5, 16], unsupported: [9, 10, 11],
                               minimumInputs: 20, optionsType: "UnidirectionalSequenceLSTMOptions", optionsTag: 71,
                               asymmetricField: 4),
    rnn: Layout(required: [1, 2], optional: [], unsupported: [], minimumInputs: 5, optionsType: "RNNOptions",
                optionsTag: 7, asymmetricField: 1),
    unidirectionalRNN: Layout(required: [1, 2], optional: [], unsupported: [], minimumInputs: 5,
                              optionsType: "SequenceRNNOptions", optionsTag: 31, asymmetricField: 2),
    svdf: Layout(required: [1, 2], optional: [], unsupported: [], minimumInputs: 5, optionsType: "SVDFOptions",
                 optionsTag: 6, asymmetricField: 2),
  ]

  static let rnn: Int32 = 24, svdf: Int32 = 27, unidirectionalRNN: Int32 = 35, unidirectionalLSTM: Int32 = 44

  /// The op's weight slots (the tensors quantized together), or why the op keeps float weights.
  static func weightSlots(code: Int32, inputs: [Int], options: FlatBufferTable?) -> Result<[Int], Refusal> {
    guard let layout = layouts[code] else {
      return .failure(Refusal("QuantScope writes hybrid weights for LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM, RNN, "
                              + "UNIDIRECTIONAL_SEQUENCE_RNN and SVDF only"))
    }
    guard inputs.count >= layout.minimumInputs else {
      return .failure(Refusal("it has \(inputs.count) inputs, fewer than the \(layout.minimumInputs) of a full kernel"))
    }
    if code == TFLiteSchema.Op.lstm, let options, options.type == layout.optionsType, options.int8(3) != 0 {
      return .failure(Refusal("it uses the basic LSTM kernel, which has no hybrid form"))
    }
    if let peephole = layout.unsupported.first(where: { inputs[$0] >= 0 }) {
      return .failure(Refusal("it has peephole weights (input \(peephole)), which stay float"))
    }
    if let missing = layout.required.first(where: { inputs[$0] < 0 }) {
      return .failure(Refusal("its weight input \(missing) is missing"))
    }
    return .success(layout.required + layout.optional.filter { inputs[$0] >= 0 })
  }

  /// Why a recurrent op keeps its weights float.
  struct Refusal: Error, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
  }

  /// Whether `encoding` is the one the hybrid recurrent kernels read: int8, one scale, symmetric
  /// within [-127, 127].
  static func isHybridEncoding(_ encoding: QuantEncoding) -> Bool {
    guard case let .linear(linear) = encoding, linear.bits == 8, !linear.asymmetric, linear.qmin >= -127,
      linear.qmax <= 127, case .tensor = linear.granularity
    else { return false }
    return true
  }

  /// The options table with `asymmetric_quantize_inputs` set (created when the op has none), or nil
  /// when the op's options are of an unexpected type.
  static func optionsWithAsymmetricInputs(code: Int32, table: FlatBufferTable?) -> (tag: UInt8, table: FlatBufferTable)? {
    guard let layout = layouts[code] else { return nil }
    var options = table ?? FlatBufferTable(type: layout.optionsType)
    guard options.type == layout.optionsType else { return nil }
    options.setScalar(layout.asymmetricField, bits: 1, size: 1)
    return (layout.optionsTag, options)
  }

  /// The op version for a recurrent op: float 1; hybrid (float input, int8 weights) 2, or 3 with
  /// asymmetric inputs (LSTM: 3/4, SVDF: 2/4). Nil for other ops and other type combinations.
  static func version(_ sig: TFLiteOpVersions.Signature) -> Int32? {
    guard let layout = layouts[sig.code] else { return nil }
    let input = sig.inputTypes.first ?? nil
    let weightSlot = sig.code == TFLiteSchema.Op.lstm || sig.code == unidirectionalLSTM ? 2 : 1
    let weight = weightSlot < sig.inputTypes.count ? sig.inputTypes[weightSlot] : nil
    guard input == .float32, sig.outputType == .float32 else { return nil }
    if weight == .float32 {
      if sig.code == TFLiteSchema.Op.lstm, sig.options?.int8(3) ?? 0 != 0 { return 2 }
      if sig.code == unidirectionalLSTM, sig.options?.bool(5) ?? false { return 4 }
      return 1
    }
    guard weight == .int8 else { return nil }
    let asymmetric = sig.options.map { $0.type == layout.optionsType && $0.bool(layout.asymmetricField) } ?? false
    switch sig.code {
    case TFLiteSchema.Op.lstm: return asymmetric ? 4 : 3
    case svdf: return asymmetric ? 4 : 2
    default: return asymmetric ? 3 : 2
    }
  }
}

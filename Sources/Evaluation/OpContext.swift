import TensorCore

/// One op's inputs and attributes while it runs, with helpers that turn missing or malformed
/// operands into ``EvaluationError/badGraph(op:index:reason:)``.
struct OpContext {
  let op: ModelGraph.Op
  let index: Int
  let values: [EvalTensor?]
  let hybrid: Interpreter.HybridMode?
  /// The graph's description of the first output (quantization parameters for QUANTIZE).
  let output: ModelGraph.Tensor?
  /// The graph's description of input 0 when it is stored sparse (DENSIFY reads its layout).
  var sparseInput: ModelGraph.Tensor? = nil

  func fail(_ reason: String) -> EvaluationError { .badGraph(op: op.type, index: index, reason: reason) }

  /// Input `slot`, required.
  func input(_ slot: Int) throws(EvaluationError) -> EvalTensor {
    guard slot < op.inputs.count, op.inputs[slot] >= 0, op.inputs[slot] < values.count else {
      throw fail("input \(slot) is missing")
    }
    guard let value = values[op.inputs[slot]] else { throw fail("input \(slot) has no value (not computed yet)") }
    return value
  }

  /// Input `slot` when present (-1 or absent means omitted).
  func optionalInput(_ slot: Int) throws(EvaluationError) -> EvalTensor? {
    guard slot < op.inputs.count, op.inputs[slot] >= 0 else { return nil }
    return try input(slot)
  }

  var inputCount: Int { op.inputs.count }

  func requireRank(_ tensor: EvalTensor, _ rank: Int, _ what: String) throws(EvaluationError) {
    guard tensor.rank == rank else { throw fail("\(what) has shape \(tensor.shape), expected rank \(rank)") }
  }

  /// Normalizes a possibly negative axis.
  func axis(_ value: Int, rank: Int) throws(EvaluationError) -> Int {
    let a = value < 0 ? value + rank : value
    guard a >= 0, a < max(rank, 1) else { throw fail("axis \(value) is out of range for rank \(rank)") }
    return a
  }

  var activation: String { op.string("fused_activation_function") ?? "NONE" }

  mutating func run() throws(EvaluationError) -> [EvalTensor] {
    switch op.type {
    case "CONV_2D": return [try conv2D()]
    case "DEPTHWISE_CONV_2D": return [try depthwiseConv2D()]
    case "TRANSPOSE_CONV": return [try transposeConv()]
    case "FULLY_CONNECTED": return [try fullyConnected()]
    case "BATCH_MATMUL": return [try batchMatMul()]
    case "ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE": return [try binary()]
    case "RELU", "RELU6", "RELU_N1_TO_1", "LOGISTIC", "TANH", "HARD_SWISH", "GELU", "EXP", "RSQRT", "LEAKY_RELU":
      return [try unary()]
    case "PRELU": return [try prelu()]
    case "SOFTMAX": return [try softmax()]
    case "L2_NORMALIZATION": return [try l2Normalization()]
    case "MAX_POOL_2D", "AVERAGE_POOL_2D": return [try pool()]
    case "MEAN", "SUM": return [try reduce()]
    case "RESHAPE": return [try reshape()]
    case "SQUEEZE": return [try squeeze()]
    case "EXPAND_DIMS": return [try expandDims()]
    case "CONCATENATION": return [try concatenation()]
    case "PAD", "PADV2", "MIRROR_PAD": return [try pad()]
    case "TRANSPOSE": return [try transpose()]
    case "SLICE": return [try slice()]
    case "STRIDED_SLICE": return [try stridedSlice()]
    case "SHAPE": let x = try input(0); return [EvalTensor(shape: [x.rank], data: x.shape.map(Float.init))]
    case "PACK": return [try pack()]
    case "GATHER": return [try gather()]
    case "SPLIT": return try split()
    case "DEQUANTIZE": return [try input(0)]
    case "DENSIFY": return [try densify()]
    case "QUANTIZE": return [try quantize()]
    case "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR": return [try resize()]
    case "UNIDIRECTIONAL_SEQUENCE_LSTM": return [try unidirectionalSequenceLSTM()]
    case "REVERSE_V2": return [try reverseV2()]
    default: throw .unsupportedOp(op: op.type, index: index)
    }
  }
}

extension Interpreter {
  /// Op types with a kernel.
  public static let supportedOps: Set<String> = [
    "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "BATCH_MATMUL", "TRANSPOSE_CONV", "ADD", "SUB", "MUL", "DIV",
    "MAXIMUM", "MINIMUM", "RELU", "RELU6", "RELU_N1_TO_1", "PRELU", "LEAKY_RELU", "LOGISTIC", "TANH", "HARD_SWISH",
    "GELU", "EXP", "RSQRT", "SQUARED_DIFFERENCE", "SOFTMAX", "MAX_POOL_2D", "AVERAGE_POOL_2D", "MEAN", "SUM",
    "RESHAPE", "SQUEEZE", "EXPAND_DIMS", "CONCATENATION", "PAD", "PADV2", "MIRROR_PAD", "TRANSPOSE", "SLICE",
    "STRIDED_SLICE", "SHAPE", "PACK", "GATHER", "SPLIT", "DEQUANTIZE", "QUANTIZE", "DENSIFY", "RESIZE_BILINEAR",
    "RESIZE_NEAREST_NEIGHBOR", "L2_NORMALIZATION", "UNIDIRECTIONAL_SEQUENCE_LSTM", "REVERSE_V2",
  ]
}

import TensorCore

/// Runs a ``ModelGraph`` in float32 over a whole batch at once (NHWC, as TFLite lays tensors out).
///
/// Values live in an array indexed by graph tensor id, so a caller can keep them (the activation
/// cache) and later rerun only the ops downstream of a changed constant. Ops whose weight the target
/// file stores as int8 for a hybrid kernel get ``HybridMode``: their input activations are
/// quantized per row and dequantized first, which reproduces the integer kernel's arithmetic.
public struct Interpreter: Sendable {
  /// How a hybrid kernel quantizes its input activations at run time.
  public struct HybridMode: Sendable, Hashable {
    /// Asymmetric [-128, 127] with a zero point per row, else symmetric [-127, 127].
    public var asymmetric: Bool
    /// Quantize each pixel of a 1×1 convolution's input separately (XNNPACK, LiteRT's default CPU
    /// delegate) instead of each image (the builtin kernel).
    public var perPixelPointwise: Bool
    public init(asymmetric: Bool, perPixelPointwise: Bool = true) {
      self.asymmetric = asymmetric; self.perPixelPointwise = perPixelPointwise
    }
  }

  public let graph: ModelGraph
  /// For each tensor, the ops that read it.
  public let consumers: [[Int]]
  /// For each tensor, the op that writes it (nil for inputs and constants).
  public let producers: [Int?]

  public init(graph: ModelGraph) {
    self.graph = graph
    var consumers = [[Int]](repeating: [], count: graph.tensors.count)
    var producers = [Int?](repeating: nil, count: graph.tensors.count)
    for (i, op) in graph.ops.enumerated() {
      for t in op.inputs where t >= 0 && t < consumers.count && consumers[t].last != i { consumers[t].append(i) }
      for t in op.outputs where t >= 0 && t < producers.count { producers[t] = i }
    }
    self.consumers = consumers
    self.producers = producers
  }

  /// Ops of the graph the interpreter has no kernel for, in graph order.
  public var unsupportedOps: [(index: Int, type: String)] {
    graph.ops.enumerated().compactMap { i, op in Interpreter.supportedOps.contains(op.type) ? nil : (i, op.type) }
  }

  /// The ops that must rerun when `tensors` change: their consumers and everything downstream, in
  /// graph order.
  public func downstreamOps(of tensors: some Sequence<Int>) -> [Int] {
    var dirtyTensors = Set(tensors)
    var result: [Int] = []
    for (i, op) in graph.ops.enumerated() where op.inputs.contains(where: { dirtyTensors.contains($0) }) {
      result.append(i)
      for t in op.outputs where t >= 0 { dirtyTensors.insert(t) }
    }
    return result
  }

  /// Fresh value slots: graph inputs bound to `inputs` (in ``ModelGraph/inputs`` order) and every
  /// constant filled from `constant` (model tensor index → values) or its inline data.
  public func initialValues(
    inputs: [EvalTensor], constant: (Int) throws(EvaluationError) -> [Float]
  ) throws(EvaluationError) -> [EvalTensor?] {
    var values = [EvalTensor?](repeating: nil, count: graph.tensors.count)
    guard inputs.count == graph.inputs.count else {
      throw .badData(file: "inputs", reason: "the model has \(graph.inputs.count) inputs, got \(inputs.count)")
    }
    for (endpoint, tensor) in zip(graph.inputs, inputs) { values[endpoint.tensor] = tensor }
    for (t, tensor) in graph.tensors.enumerated() {
      guard let source = tensor.constant else { continue }
      values[t] = try constantValue(t, source: source, constant: constant)
    }
    return values
  }

  /// The value of constant tensor `t`.
  public func constantValue(
    _ t: Int, source: ModelGraph.Constant, constant: (Int) throws(EvaluationError) -> [Float]
  ) throws(EvaluationError) -> EvalTensor {
    let shape = graph.tensors[t].shape
    let data: [Float]
    switch source {
    case let .modelTensor(index): data = try constant(index)
    case let .inline(values): data = values
    }
    // Sparse weights are expanded here, once: LiteRT's FULLY_CONNECTED reads them without a
    // DENSIFY in front, and DENSIFY then passes the dense value through.
    if let sparsity = graph.tensors[t].sparsity {
      do { return EvalTensor(shape: shape, data: try sparsity.densify(data, shape: shape)) } catch {
        throw .badGraph(op: "sparse tensor '\(graph.tensors[t].name)'", index: t, reason: error.reason)
      }
    }
    // Raw-byte tensors decode to a different count; keep their own flat shape.
    let expected = Shape.elementCount(shape) ?? -1
    return EvalTensor(shape: expected == data.count ? shape : [data.count], data: data)
  }

  /// Runs `ops` (indices in graph order) over `values`. With `release`, each intermediate is dropped
  /// after its last reader has run (a one-shot evaluation of a large model).
  public func run(
    ops: [Int], values: inout [EvalTensor?], hybrid: [Int: HybridMode] = [:], token: CancellationToken? = nil,
    release: Bool = false
  ) throws(EvaluationError) {
    var remainingReaders = release ? consumers.map(\.count) : []
    let keep = Set(graph.outputs.map(\.tensor))
    for index in ops {
      if token?.isCancelled == true { throw .cancelled }
      guard index >= 0, index < graph.ops.count else { continue }
      let op = graph.ops[index]
      let output = op.outputs.first.flatMap { $0 >= 0 && $0 < graph.tensors.count ? graph.tensors[$0] : nil }
      var context = OpContext(op: op, index: index, values: values, hybrid: hybrid[index], output: output)
      if let t = op.inputs.first, t >= 0, t < graph.tensors.count, graph.tensors[t].sparsity != nil {
        context.sparseInput = graph.tensors[t]
      }
      let outputs = try context.run()
      for (slot, t) in op.outputs.enumerated() where t >= 0 && t < values.count && slot < outputs.count {
        values[t] = outputs[slot]
      }
      guard release else { continue }
      for t in op.inputs where t >= 0 && t < values.count && graph.tensors[t].constant == nil {
        remainingReaders[t] -= 1
        if remainingReaders[t] <= 0 && !keep.contains(t) { values[t] = nil }
      }
    }
  }
}

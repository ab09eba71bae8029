import Evaluation
import Foundation
import ModelFormats
import QuantEngine
import TensorCore

extension EvaluationSession {
  /// Brings the committed state to `target` (rerunning only ops downstream of changed weights) and
  /// reports. With `commit`, the result becomes the new base unless `token` was cancelled meanwhile.
  func compute(target requestedSchemes: [Int: Scheme], token: CancellationToken?, commit: Bool) throws(EvaluationError) -> EvaluationReport {
    var problems: [String] = []
    var target: [Int: Scheme] = [:]
    for (index, scheme) in requestedSchemes where index >= 0 && index < model.tensors.count {
      let tensor = model.tensors[index]
      if case let .notStorable(reason) = format.canStore(scheme.encoding(channelAxis: tensor.channelAxis), tensor: tensor, in: model) {
        problems.append("\(tensor.name): \(format.kind.rawValue) cannot store \(scheme.rawValue) here (\(reason)); kept as stored")
      } else {
        target[index] = scheme
      }
    }
    // The writer re-encodes some groups (an LSTM's weights) only all together.
    let joint = JointTensorGroup.problems(jointGroups) { i in
      guard let scheme = target[i], i < model.tensors.count else { return false }
      return !AutoCandidates.sameAsStored(scheme, model.tensors[i])
    }
    for (index, reason) in joint.sorted(by: { $0.key < $1.key }) {
      target[index] = nil
      problems.append("\(model.tensors[index].name): \(reason); kept as stored")
    }
    let base = withStateLock { committedSnapshot }
    var values = base.values
    var changedGraphTensors: [Int] = []
    for index in Set(base.schemes.keys).union(target.keys) where base.schemes[index] != target[index] {
      let weights = try weightValues(index, target[index])
      for t in interpreter.graph.graphTensors(ofModelTensor: index) {
        values[t] = try interpreter.constantValue(t, source: .modelTensor(index)) { (_) throws(EvaluationError) in weights }
        changedGraphTensors.append(t)
      }
    }
    let graph = interpreter.graph
    let ops = interpreter.downstreamOps(of: changedGraphTensors)
    try interpreter.run(ops: ops, values: &values, hybrid: EvaluationSession.hybridModes(model, graph, target), token: token)
    if token?.isCancelled == true { throw .cancelled }
    var layerSQNR = base.layerSQNR
    for i in ops {
      guard let t = graph.ops[i].outputs.first, t >= 0, let now = values[t], let reference = floatValues[t] else { continue }
      layerSQNR[i] = OutputMetrics.sqnr(reference.data, now.data)
    }
    guard let output = values[outputTensor] else { throw .badGraph(op: "graph", index: -1, reason: "the output was not computed") }
    let metrics = OutputMetrics.compare(reference: floatOutput, quantized: output, labels: data.labels)
    let layers = graph.ops.indices.compactMap { i -> LayerSQNR? in
      guard let t = graph.ops[i].outputs.first, t >= 0, graph.tensors[t].dtype == .f32 || graph.tensors[t].dtype == nil else { return nil }
      return LayerSQNR(op: i, opType: graph.ops[i].type, tensor: graph.tensors[t].name, sqnr: layerSQNR[i] ?? .infinity)
    }
    let plan = Plan(tensors: Dictionary(target.map { (model.tensors[$0.key].name, $0.value) }, uniquingKeysWith: { a, _ in a }))
    let job = QuantizeJob(model: model, format: format, plan: plan)
    if commit {
      withStateLock {
        if token?.isCancelled != true { committedSnapshot = Snapshot(schemes: target, values: values, layerSQNR: layerSQNR) }
      }
    }
    return EvaluationReport(
      samples: data.samples, hasLabels: data.labels != nil, floatAccuracy: floatAccuracy, quantized: metrics,
      originalBytes: model.fileBytes, quantizedBytes: job.estimatedFileBytes, layers: layers, problems: problems)
  }

  /// What the saved file would hold for tensor `index` under `scheme`, dequantized (cached).
  func weightValues(_ index: Int, _ scheme: Scheme?) throws(EvaluationError) -> [Float] {
    let key = WeightKey(tensor: index, scheme: scheme)
    if let cached = withStateLock({ cachedWeights[key] }) { return cached }
    let cachedStored = withStateLock { cachedWeights[WeightKey(tensor: index, scheme: nil)] }
    let stored: [Float]
    if let cachedStored { stored = cachedStored } else { stored = try EvaluationSession.storedValues(model, index) }
    guard let scheme else { return stored }
    let tensor = model.tensors[index]
    var result = [Float](repeating: 0, count: stored.count)
    do throws(QuantError) {
      let data = try stored.withUnsafeBufferPointer { (buffer) throws(QuantError) in
        try Quantizer.quantize(buffer, shape: tensor.shape, scheme: scheme, channelAxis: tensor.channelAxis)
      }
      try result.withUnsafeMutableBufferPointer { (out) throws(QuantError) in try Quantizer.dequantize(data, into: out) }
    } catch {
      throw .badData(file: model.path, reason: "cannot quantize tensor '\(tensor.name)' as \(scheme.rawValue): \(error.description)")
    }
    withStateLock { cachedWeights[key] = result }
    return result
  }

  /// The tensor's values as the file stores them (int8 with stored scales dequantized).
  static func storedValues(_ model: Model, _ index: Int) throws(EvaluationError) -> [Float] {
    guard index >= 0, index < model.tensors.count else {
      throw .badGraph(op: "graph", index: -1, reason: "constant refers to tensor \(index), which does not exist")
    }
    do { return try TensorValues.decode(model.tensors[index], file: model.path) } catch {
      throw .badData(file: model.path, reason: error.description)
    }
  }

  /// Ops that run a hybrid kernel under `schemes`: their weight is int8/int4 in the target file and
  /// the writer lets the op read it directly (LiteRT then quantizes activations per row).
  static func hybridModes(_ model: Model, _ graph: ModelGraph, _ schemes: [Int: Scheme]) -> [Int: Interpreter.HybridMode] {
    var result: [Int: Interpreter.HybridMode] = [:]
    let producers = Interpreter(graph: graph).producers
    for (i, op) in graph.ops.enumerated() {
      // An LSTM's input-to-forget weights (input 2) are always present; its kernel is hybrid
      // when they are int8 (the writer re-encodes all its weights together).
      let slot = op.type == "UNIDIRECTIONAL_SEQUENCE_LSTM" ? 2 : 1
      guard ["FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D", "BATCH_MATMUL", "TRANSPOSE_CONV",
             "UNIDIRECTIONAL_SEQUENCE_LSTM"].contains(op.type),
        op.inputs.count > slot, op.inputs[slot] >= 0
      else { continue }
      var weight = op.inputs[slot]
      var direct = true
      if let p = producers[weight], graph.ops[p].type == "DEQUANTIZE", let source = graph.ops[p].inputs.first, source >= 0 {
        weight = source
        direct = false
      }
      guard case let .modelTensor(m)? = graph.tensors[weight].constant, m < model.tensors.count else { continue }
      let tensor = model.tensors[m]
      let perChannel: Bool
      if let scheme = schemes[m] {
        let encoding = scheme.encoding(channelAxis: tensor.channelAxis)
        guard TFLiteFormat.runsHybrid(opType: op.type, slot: slot, encoding: encoding, channelAxis: tensor.channelAxis) else { continue }
        if case let .linear(linear) = encoding, case .channel = linear.granularity, tensor.shape[tensor.channelAxis] > 1 {
          perChannel = true
        } else {
          perChannel = false
        }
        result[i] = mode(op, perChannel: perChannel, written: true)
      } else {
        guard direct, [.i8, .i4].contains(graph.tensors[weight].dtype), let q = graph.tensors[weight].quantization else { continue }
        result[i] = mode(op, perChannel: q.scales.count > 1, written: false)
      }
    }
    return result
  }

  /// FC, BATCH_MATMUL and LSTM quantize inputs asymmetrically when the option says so (the writer
  /// always sets it); per-channel conv kernels use asymmetric inputs, per-tensor ones symmetric.
  static func mode(_ op: ModelGraph.Op, perChannel: Bool, written: Bool) -> Interpreter.HybridMode {
    switch op.type {
    case "FULLY_CONNECTED", "BATCH_MATMUL", "UNIDIRECTIONAL_SEQUENCE_LSTM":
      return .init(asymmetric: written || op.bool("asymmetric_quantize_inputs"))
    case "CONV_2D", "DEPTHWISE_CONV_2D": return .init(asymmetric: perChannel)
    default: return .init(asymmetric: false)
    }
  }
}

extension EvaluationSession {
  /// The model output of the current (last finished) state.
  public func currentOutput() throws(EvaluationError) -> EvalTensor? {
    withStateLock { committedSnapshot.values[outputTensor] }
  }
}

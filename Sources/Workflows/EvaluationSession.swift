import Evaluation
import Foundation
import ModelFormats
import QuantEngine
import TensorCore

/// Live accuracy for one model and one data set.
///
/// Opening runs the float model once and caches every activation. Evaluating a plan replaces each
/// planned weight by exactly what the saved file would dequantize to, emulates the hybrid kernels
/// the writer would wire, and reruns only the ops downstream of weights whose scheme changed since
/// the last finished evaluation. ``update(tensorIndex:scheme:completion:)`` is the TUI's entry:
/// each call cancels the computation still running for an older one.
public final class EvaluationSession: @unchecked Sendable {
  // Mutable state is guarded by `lock`; computations run on `queue` one at a time.
  public let model: Model
  public let format: any ModelFormat.Type
  public let data: EvaluationData
  public let interpreter: Interpreter
  /// The float model's output for every sample and its accuracy on the labels.
  public let floatOutput: EvalTensor
  public let floatAccuracy: Double?
  /// Weights the format's writer quantizes only all together (an LSTM's): a plan choosing some of
  /// them keeps them as stored, and isolated measurements quantize the whole group.
  public let jointGroups: [JointTensorGroup]

  let floatValues: [EvalTensor?]
  let outputTensor: Int
  private let lock = NSLock()
  private let queue = DispatchQueue(label: "qscope.evaluation", qos: .userInitiated)
  private var committed: Snapshot
  private var requested: [Int: Scheme] = [:]
  private var inFlight: CancellationToken?
  private var weightCache: [WeightKey: [Float]] = [:]

  func withStateLock<R>(_ body: () throws -> R) rethrows -> R { try lock.withLock(body) }
  var committedSnapshot: Snapshot {
    get { committed }
    set { committed = newValue }
  }
  var cachedWeights: [WeightKey: [Float]] {
    get { weightCache }
    set { weightCache = newValue }
  }

  struct WeightKey: Hashable { var tensor: Int; var scheme: Scheme? }

  /// Values and per-layer SQNR for one set of schemes.
  struct Snapshot {
    var schemes: [Int: Scheme]
    var values: [EvalTensor?]
    var layerSQNR: [Int: Double]
  }

  /// Runs the float model on `data` and caches its activations.
  public init(model: Model, format: any ModelFormat.Type, data: EvaluationData, token: CancellationToken? = nil) throws(EvaluationError) {
    guard let graph = model.graph else { throw EvaluationSession.noGraph(model) }
    let interpreter = Interpreter(graph: graph)
    if let first = interpreter.unsupportedOps.first { throw .unsupportedOp(op: first.type, index: first.index) }
    guard let output = graph.outputs.first else { throw .badGraph(op: "graph", index: -1, reason: "the model has no output") }
    self.model = model; self.format = format; self.data = data; self.interpreter = interpreter
    jointGroups = format.jointGroups(in: model)
    outputTensor = output.tensor
    var cache: [WeightKey: [Float]] = [:]
    var values = try interpreter.initialValues(inputs: [data.inputs]) { (index) throws(EvaluationError) in
      let decoded = try EvaluationSession.storedValues(model, index)
      cache[WeightKey(tensor: index, scheme: nil)] = decoded
      return decoded
    }
    try interpreter.run(ops: Array(graph.ops.indices), values: &values, hybrid: EvaluationSession.hybridModes(model, graph, [:]), token: token)
    guard let result = values[output.tensor] else { throw .badGraph(op: "graph", index: -1, reason: "the output was not computed") }
    floatValues = values
    floatOutput = result
    floatAccuracy = data.labels.flatMap { OutputMetrics.compare(reference: result, quantized: result, labels: $0).accuracy }
    weightCache = cache
    committed = Snapshot(schemes: [:], values: values, layerSQNR: [:])
  }

  /// Opens `path` and its data (`dataPath`, else MODEL.eval.npz beside the model).
  public static func open(path: String, dataPath: String?) throws(EvaluationError) -> EvaluationSession {
    let opened: (model: Model, format: any ModelFormat.Type)
    do { opened = try ModelOpener.open(path: path) } catch { throw .noGraph(file: path, reason: error.description) }
    guard let graph = opened.model.graph else { throw noGraph(opened.model) }
    guard let dataPath = dataPath ?? EvaluationData.defaultPath(forModel: path) else {
      throw .badData(file: path, reason: "no evaluation data: pass --data FILE.npz or put \(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent).eval.npz beside the model")
    }
    let data = try EvaluationData.load(path: dataPath, graph: graph)
    return try EvaluationSession(model: opened.model, format: opened.format, data: data)
  }

  static func noGraph(_ model: Model) -> EvaluationError {
    .noGraph(file: model.path, reason: "evaluation needs a model graph; .\(model.format.rawValue) files have none (.safetensors/.gguf store weights only)")
  }

  // MARK: Synchronous evaluation

  /// Evaluates `plan` (resolved as the quantize command resolves it) and makes it the current state.
  public func evaluate(plan: Plan, token: CancellationToken? = nil) throws(EvaluationError) -> EvaluationReport {
    let job = QuantizeJob(model: model, format: format, plan: plan)
    var schemes: [Int: Scheme] = [:]
    for assignment in job.assignments where assignment.encoding != nil { schemes[assignment.tensorIndex] = assignment.scheme }
    lock.withLock { requested = schemes }
    var report = try compute(target: schemes, token: token, commit: true)
    report.problems = job.problems.map { "\($0.tensorName): \($0.problem ?? "")" }
    return report
  }

  /// The report for the current state (no quantization at first).
  public func currentReport() throws(EvaluationError) -> EvaluationReport {
    try compute(target: lock.withLock { committed.schemes }, token: nil, commit: false)
  }

  /// The f16 noise floor: every quantizable weight cast to f16 (not kept as the current state).
  public func noiseFloor(token: CancellationToken? = nil) throws(EvaluationError) -> EvaluationReport {
    var schemes: [Int: Scheme] = [:]
    for (i, tensor) in model.tensors.enumerated() where tensor.isQuantizable { schemes[i] = .f16 }
    return try compute(target: schemes, token: token, commit: false)
  }

  // MARK: Incremental, cancellable updates (the TUI)

  /// Sets one tensor's scheme (nil: as stored) and recomputes in the background. A newer call
  /// cancels this one; `completion` then receives `.failure(.cancelled)`. Completion runs on the
  /// session's queue.
  @discardableResult
  public func update(
    tensorIndex: Int, scheme: Scheme?, completion: @escaping @Sendable (Result<EvaluationReport, EvaluationError>) -> Void
  ) -> CancellationToken {
    schedule(completion) { requested in requested[tensorIndex] = scheme }
  }

  /// Replaces every scheme with those of `plan` and recomputes in the background (as ``update``).
  @discardableResult
  public func update(plan: Plan, completion: @escaping @Sendable (Result<EvaluationReport, EvaluationError>) -> Void) -> CancellationToken {
    let job = QuantizeJob(model: model, format: format, plan: plan)
    var schemes: [Int: Scheme] = [:]
    for assignment in job.assignments where assignment.encoding != nil { schemes[assignment.tensorIndex] = assignment.scheme }
    return schedule(completion) { requested in requested = schemes }
  }

  private func schedule(
    _ completion: @escaping @Sendable (Result<EvaluationReport, EvaluationError>) -> Void,
    change: (inout [Int: Scheme]) -> Void
  ) -> CancellationToken {
    let token = CancellationToken()
    let target: [Int: Scheme] = lock.withLock {
      inFlight?.cancel()
      inFlight = token
      change(&requested)
      return requested
    }
    queue.async { [self] in
      guard !token.isCancelled else { completion(.failure(.cancelled)); return }
      do throws(EvaluationError) {
        completion(.success(try compute(target: target, token: token, commit: true)))
      } catch {
        completion(.failure(error))
      }
    }
    return token
  }
}

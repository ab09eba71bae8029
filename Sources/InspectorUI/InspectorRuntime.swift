import Foundation
import ModelFormats
import QuantEngine
import Synchronization
import TensorCore
import TUIKit
import Workflows

/// Runs the reducer's effects: analyses on background queues (cached by the `AnalysisService`,
/// cancellable), saving with progress, plan and theme files. Results are posted as actions to an
/// inbox the main loop drains between input polls. All methods are called from the main loop.
public final class InspectorRuntime: @unchecked Sendable {
  public let service: AnalysisService
  public let format: any ModelFormat.Type
  public private(set) var theme: Theme
  public private(set) var quitRequested = false
  let locator: ThemeLocator
  private let inbox = Mutex<[Action]>([])
  private let statsQueue = OperationQueue()
  private let outcomeQueue = OperationQueue()
  let saveQueue = DispatchQueue(label: "qscope.save")
  private var outcomeJobs: [OutcomeKey: (operation: Operation, token: CancellationToken)] = [:]
  private var statsJob: (tensor: Int, operation: Operation, token: CancellationToken)?
  var saveToken: CancellationToken?
  /// Models converted for another output format (keras → tflite), kept for the save.
  let convertedModels = Mutex<[ModelFormatKind: ConvertedModel]>([:])
  var sensitivityToken: CancellationToken?
  /// One tensor × scheme sensitivity at a time (measured KL reruns the model; keep a core free).
  let sensitivityValueQueue = OperationQueue()
  var sensitivityValueJobs: [SensitivityKey: (operation: Operation, token: CancellationToken)] = [:]
  /// The format the save dialog chose; the autopilot measures its candidates for it.
  var outputFormat: ModelFormatKind
  /// Per tensor name: the imatrix vector that fits it (--imatrix), for the weighted sensitivity.
  public var importance: [String: [Float]] = [:]
  let running = Atomic<Int>(0)
  private let evaluationSession = Mutex<EvaluationSession?>(nil)
  private let consumerMap = Mutex<[Int: Int]>([:])

  /// The evaluation session, once opened (nil when the model has no graph or no data).
  var evaluation: EvaluationSession? { evaluationSession.withLock { $0 } }
  func setEvaluation(_ session: EvaluationSession) { evaluationSession.withLock { $0 = session } }
  /// Model tensor → the graph op consuming it, for the per-layer output SQNR.
  var consumers: [Int: Int] { consumerMap.withLock { $0 } }
  func setConsumers(_ map: [Int: Int]) { consumerMap.withLock { $0 = map } }
  func beginWork() { running.add(1, ordering: .relaxed) }
  func endWork() { running.subtract(1, ordering: .relaxed) }

  public init(model: Model, format: any ModelFormat.Type, theme: Theme, locator: ThemeLocator = .current(), bins: Int = 96) {
    service = AnalysisService(model: model, bins: bins)
    self.format = format
    self.outputFormat = model.format
    self.theme = theme
    self.locator = locator
    statsQueue.maxConcurrentOperationCount = 1
    sensitivityValueQueue.maxConcurrentOperationCount = 1
    // Leave a core for the input thread on small machines, also inside the engine's kernels.
    let spare = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    outcomeQueue.maxConcurrentOperationCount = spare
    EngineThreads.limit = spare
  }

  /// Posts an action from any thread.
  public func post(_ action: Action) { inbox.withLock { $0.append(action) } }

  /// Takes every posted action.
  public func drain() -> [Action] { inbox.withLock { actions in defer { actions.removeAll() }; return actions } }

  /// Whether background work is running or queued (the loop polls faster then).
  public var busy: Bool { running.load(ordering: .relaxed) > 0 }

  public func perform(_ effects: [Effect]) { for effect in effects { perform(effect) } }

  public func perform(_ effect: Effect) {
    switch effect {
    case .computeStats(let tensor):
      if let current = statsJob, current.tensor != tensor { current.token.cancel(); current.operation.cancel() }
      let token = CancellationToken()
      let operation = job { [service] in
        let result = service.stats(tensor, cancellation: token)
        return .statsReady(tensor, result)
      } cancelled: { .statsReady(tensor, .failure(.cancelled)) }
      statsJob = (tensor, operation, token)
      statsQueue.addOperation(operation)
    case .computeOutcome(let tensor, let scheme):
      let key = OutcomeKey(tensor, scheme)
      guard outcomeJobs[key] == nil || outcomeJobs[key]?.operation.isFinished == true else { return }
      let token = CancellationToken()
      let operation = job { [service] in
        .outcomeReady(tensor, scheme, service.outcome(tensor, scheme, cancellation: token))
      } cancelled: { .outcomeReady(tensor, scheme, .failure(.cancelled)) }
      outcomeJobs[key] = (operation, token)
      outcomeQueue.addOperation(operation)
    case .cancelOutcomes(let keeping):
      Self.cancelJobs(&outcomeJobs, keeping: keeping)
    case .save(let request):
      startSave(request)
    case .prepareConversion(let kind):
      prepareConversion(kind)
    case .useOutputFormat(let kind):
      outputFormat = kind
    case .cancelSave:
      saveToken?.cancel()
    case .savePlan(let plan, let path):
      do {
        try plan.save(path: path)
        post(.planSaved(path: path, error: nil))
      } catch {
        post(.planSaved(path: path, error: error.description))
      }
    case .loadPlan(let path):
      do {
        let plan = try Plan.load(path: path)
        post(.planLoaded(path: path, .success(plan)))
      } catch {
        post(.planLoaded(path: path, .failure(error)))
      }
    case .removeFile(let path):
      try? FileManager.default.removeItem(atPath: path)
    case .writeRecoveryPlan(let plan, let path):
      writeRecovery(plan, path: path)
    case .loadTheme(let name):
      let loaded = locator.load(name)
      theme = loaded.theme
      post(.themeLoaded(name: name, warnings: loaded.warnings.map(\.description)))
    case .evaluate(let plan):
      evaluate(plan)
    case .computeSensitivity:
      computeSensitivity()
    case .cancelSensitivity:
      sensitivityToken?.cancel()
      sensitivityToken = nil
    case .computeSensitivityValue(let key):
      computeSensitivityValue(key)
    case .cancelSensitivityValues(let keeping):
      Self.cancelJobs(&sensitivityValueJobs, keeping: keeping)
    case .quit:
      quitRequested = true
      saveToken?.cancel()
      sensitivityToken?.cancel()
      statsQueue.cancelAllOperations()
      outcomeQueue.cancelAllOperations()
      sensitivityValueQueue.cancelAllOperations()
    }
  }

  /// Writes the recovery plan at once (used on signals, where there is no later).
  public func writeRecovery(_ plan: Plan, path: String) {
    do {
      try plan.save(path: path)
      post(.recoveryWritten(path: path, error: nil))
    } catch {
      post(.recoveryWritten(path: path, error: error.description))
    }
  }

  /// Cancels the keyed jobs whose key is not in `keeping` and forgets them and the finished ones.
  static func cancelJobs<Key: Hashable>(
    _ jobs: inout [Key: (operation: Operation, token: CancellationToken)], keeping: Set<Key>
  ) {
    for (key, job) in jobs where !keeping.contains(key) {
      job.token.cancel()
      job.operation.cancel()
      jobs[key] = nil
    }
    jobs = jobs.filter { !$0.value.operation.isFinished }
  }

  func job(_ work: @escaping @Sendable () -> Action, cancelled: @escaping @Sendable () -> Action) -> Operation {
    running.add(1, ordering: .relaxed)
    let operation = BlockOperation()
    operation.addExecutionBlock { [weak operation, self] in
      defer { running.subtract(1, ordering: .relaxed) }
      if operation?.isCancelled == true {
        post(cancelled())
        return
      }
      post(work())
    }
    return operation
  }
}

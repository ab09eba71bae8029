import Foundation
import Workflows

/// The evaluation figures the summary bar shows (fractions, not percent).
public struct LiveAccuracy: Equatable, Sendable {
  /// The float model's accuracy on the labels (nil without labels).
  public var floatAccuracy: Double?
  /// The planned model's accuracy on the labels (nil without labels).
  public var accuracy: Double?
  /// Fraction of samples where the float and the planned model pick the same class.
  public var agreement: Double
  /// Mean KL(float ‖ planned) of the output distributions.
  public var klDivergence: Double
  /// Model tensor index → output SQNR (dB) of the layer consuming it, with the error of every
  /// quantized layer before it accumulated (the list's "out dB" column).
  public var layerSQNR: [Int: Double]

  public init(floatAccuracy: Double?, accuracy: Double?, agreement: Double, klDivergence: Double, layerSQNR: [Int: Double] = [:]) {
    self.floatAccuracy = floatAccuracy
    self.accuracy = accuracy
    self.agreement = agreement
    self.klDivergence = klDivergence
    self.layerSQNR = layerSQNR
  }

  /// The figures of `report`; `consumers` maps model tensors to the op consuming them
  /// (``WeightConsumers/ops(in:)``).
  public init(_ report: EvaluationReport, consumers: [Int: Int] = [:]) {
    self.init(
      floatAccuracy: report.floatAccuracy, accuracy: report.quantized.accuracy,
      agreement: report.quantized.top1Agreement, klDivergence: report.quantized.klDivergence,
      layerSQNR: WeightConsumers.layerSQNR(report, consumers: consumers))
  }
}

/// Live accuracy while the user edits the plan. Absent from the state when the model has no
/// graph or no evaluation data (then the summary bar shows no accuracy at all).
public struct AccuracyStatus: Equatable, Sendable {
  /// The figures of the last finished evaluation; they stay on screen (marked) while the next runs.
  public var figures: LiveAccuracy?
  /// Whether an evaluation of the current plan is running.
  public var computing: Bool
  /// Why the last evaluation failed, if it did.
  public var error: String?

  public init(figures: LiveAccuracy? = nil, computing: Bool = true, error: String? = nil) {
    self.figures = figures
    self.computing = computing
    self.error = error
  }
}

extension AppState {
  /// Marks the accuracy as computing and asks for the current plan's evaluation (if accuracy is shown).
  mutating func requestEvaluation() -> [Effect] {
    guard var status = accuracy else { return [] }
    status.computing = true
    accuracy = status
    return [.evaluate(plan)]
  }
}

func reduceEvaluationOpened(_ state: inout AppState, _ result: Result<Double?, EvaluationFailure>) -> [Effect] {
  switch result {
  case .success:
    state.accuracy = AccuracyStatus()
    return state.requestEvaluation()
  case .failure(let failure):
    // No graph or no data: no accuracy, and no need to say so on every start.
    state.accuracy = nil
    if case .failed(let reason) = failure, state.message == nil, state.explicitData {
      state.message = Message("no live accuracy: \(reason)", .warning)
    }
    return []
  }
}

func reduceEvaluationReady(_ state: inout AppState, plan: Plan, _ result: Result<LiveAccuracy, EvaluationFailure>) {
  guard var status = state.accuracy else { return }
  switch result {
  case .success(let figures):
    // A result for an older plan is still the best figure we have, but only the current plan's ends "computing".
    status.figures = figures
    status.error = nil
    if plan == state.plan { status.computing = false }
    state.accuracy = status
    if state.sort == .layerSQNR { state.rebuildVisible() }
    return
  case .failure(.cancelled):
    return
  case .failure(.failed(let reason)):
    status.error = reason
    if plan == state.plan { status.computing = false }
  }
  state.accuracy = status
}

/// Why an evaluation produced no figures.
public enum EvaluationFailure: Error, Equatable, Sendable {
  case cancelled
  case failed(String)
}

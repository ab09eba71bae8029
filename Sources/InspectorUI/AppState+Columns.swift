import Foundation
import QuantEngine
import Workflows

/// Which number the sensitivity column shows. The kinds are not comparable with each other, so
/// the column's header and the detail pane always name the kind.
public enum SensitivityMeasure: String, Sendable, Hashable, CaseIterable {
  /// Data-free: mean squared weight error Σ(x − x̂)² / n (the detail pane's MSE).
  case mse = "MSE"
  /// Data-free, importance-weighted: Σ w_j (x − x̂)² / n with the imatrix vector scaled to mean 1.
  case weightedMSE = "wMSE"
  /// Measured: mean KL(float ‖ quantized) of the model's outputs on the evaluation data with only
  /// this tensor quantized.
  case kl = "KL"

  /// One line for the detail pane's definitions and the help.
  public var definition: String {
    switch self {
    case .mse: return "data-free: mean (x-x')^2 of the weights at the scheme"
    case .weightedMSE: return "data-free: mean imp*(x-x')^2, imatrix scaled to mean 1"
    case .kl: return "measured: output KL on the eval data, only this tensor quantized"
    }
  }
}

/// The key of a background sensitivity value.
public struct SensitivityKey: TensorSchemeKey {
  public var tensor: Int
  public var scheme: Scheme
  public var measure: SensitivityMeasure
  public init(_ tensor: Int, _ scheme: Scheme, _ measure: SensitivityMeasure) {
    self.tensor = tensor; self.scheme = scheme; self.measure = measure
  }
}

extension AppState {
  /// The kind of sensitivity shown: measured KL when evaluation data is in use, else the
  /// importance-weighted error when an imatrix is loaded, else the plain weight MSE.
  public var sensitivityMeasure: SensitivityMeasure {
    if accuracy != nil { return .kl }
    return model.importancePath != nil ? .weightedMSE : .mse
  }

  /// The sensitivity of `tensor` at its planned scheme; nil when it keeps its data (or the
  /// format cannot store the scheme).
  public func sensitivity(_ tensor: Int) -> Analysis<Double>? {
    guard planned.indices.contains(tensor), let scheme = planned[tensor], plannedRefusal(tensor) == nil else {
      return nil
    }
    let measure = sensitivityMeasure
    guard measure == .mse else { return sensitivities[SensitivityKey(tensor, scheme, measure)] ?? .pending }
    switch plannedOutcome(tensor) {
    case .ready(let outcome)?: return .ready(outcome.metrics.mse)
    case .failed(let reason)?: return .failed(reason)
    case .pending?, nil: return .pending
    }
  }

  /// The accumulated output SQNR of the layer consuming `tensor`, from the last evaluation.
  public func layerSQNR(_ tensor: Int) -> Double? { accuracy?.figures?.layerSQNR[tensor] }

  /// Columns `c` cycles through: those that have data for this model.
  public var sortableColumns: [SortColumn] {
    SortColumn.allCases.filter { column in
      switch column {
      case .layerSQNR: return accuracy != nil
      case .importance: return model.importancePath != nil
      default: return true
      }
    }
  }

  /// The background sensitivity values the list needs (none for the data-free MSE).
  var neededSensitivities: [SensitivityKey] {
    let measure = sensitivityMeasure
    guard measure != .mse else { return [] }
    return neededOutcomes.map { SensitivityKey($0.tensor, $0.scheme, measure) }
  }

  /// Effects for sensitivity values not asked for yet, the selected tensor first; marks them
  /// pending. Pending ones no longer needed are forgotten (and cancelled) like scheme outcomes.
  mutating func requestMissingSensitivities() -> [Effect] {
    let needed = Set(neededSensitivities)
    var effects: [Effect] = []
    let (droppedStale, missing) = Self.schedule(needed, in: &sensitivities, selected: selectedTensor)
    if droppedStale { effects.append(.cancelSensitivityValues(keeping: needed)) }
    effects += missing.map { .computeSensitivityValue($0) }
    return effects
  }

  /// Sort key for the columns whose values arrive in the background; nil sorts last.
  func numericKey(_ tensor: Int) -> Double? {
    switch sort {
    case .sqnr:
      guard let db = plannedOutcome(tensor)?.value?.metrics.sqnrDB, !db.isNaN else { return nil }
      return db
    case .layerSQNR: return layerSQNR(tensor)
    case .sensitivity: return sensitivity(tensor)?.value
    case .importance: return model.rows[tensor].importance?.mean
    default: return nil
    }
  }
}

import Foundation
import ModelFormats
import TensorCore
import TUIKit
import Workflows

extension AppState {
  /// The formats the save dialog offers: the model's own, then the ones it converts to.
  public var outputFormats: [ModelFormatKind] { [model.format] + model.conversionTargets }

  /// The output file's size before any tensor is re-encoded: the input file's, or the converted
  /// model's as float once known.
  public var outputBaseBytes: Int {
    guard outputFormat != model.format, case .ready(let facts)? = formatFacts[outputFormat] else { return model.fileBytes }
    return facts.fileBytes
  }

  /// Makes `kind` the output format: the schemes offered (and the sizes) follow it. The plan is
  /// untouched; a scheme the new format cannot store shows as refused until changed. Facts for a
  /// conversion target are computed in the background the first time.
  public mutating func setOutputFormat(_ kind: ModelFormatKind) -> [Effect] {
    guard outputFormats.contains(kind), kind != outputFormat else { return [] }
    outputFormat = kind
    var effects: [Effect] = [.useOutputFormat(kind)]
    // The autopilot's table priced the old format's candidates; it is measured again when needed.
    if autopilot.sensitivity.isComputing { effects.append(.cancelSensitivity) }
    autopilot.sensitivity = .idle
    autopilot.planner = nil
    autopilot.pendingTarget = nil
    if kind == model.format {
      apply(model.ownFacts)
      return effects
    }
    switch formatFacts[kind] {
    case .ready(let facts)?:
      apply(facts)
    case .pending?:
      break
    case .failed?, nil:
      formatFacts[kind] = .pending
      effects.append(.prepareConversion(kind))
    }
    return effects
  }

  mutating func apply(_ facts: FormatFacts) {
    guard facts.refusals.count == model.rows.count, facts.storedBytes.count == model.rows.count else { return }
    for i in model.rows.indices {
      model.rows[i].refusals = facts.refusals[i]
      model.rows[i].storedBytes = facts.storedBytes[i]
    }
    model.setJointGroups(facts.jointGroups)
    if sort == .size || sort == .sqnr || sort == .sensitivity { rebuildVisible() }
  }
}

func reduceConversionPrepared(_ state: inout AppState, _ kind: ModelFormatKind, _ result: Result<FormatFacts, AnalysisFailure>) -> [Effect] {
  var effects: [Effect] = []
  switch result {
  case .success(let facts):
    state.formatFacts[kind] = .ready(facts)
    if state.outputFormat == kind { state.apply(facts) }
  case .failure(.cancelled):
    state.formatFacts[kind] = nil
  case .failure(.failed(let reason)):
    state.formatFacts[kind] = .failed(reason)
    // The model cannot become that format: back to its own, so the list offers what can be written.
    let own = state.model.format
    if state.outputFormat == kind { effects = state.setOutputFormat(own) }
    let text = "cannot convert \(own.rawValue) to \(kind.rawValue): \(reason)"
    if case .save(var dialog) = state.overlay, dialog.format == kind, dialog.progress == nil {
      dialog.input = TextInputState(outputPath(dialog.input.text, format: own))
      dialog.format = own
      dialog.preset = nil
      dialog.error = text
      state.overlay = .save(dialog)
    } else {
      state.message = Message(text, .error)
    }
  }
  return effects
}

import Foundation
import QuantEngine
import TUIKit
import Workflows

/// Applies `action` to `state` and returns the work the runtime should do. Pure: no I/O, no clocks.
public func reduce(_ state: inout AppState, _ action: Action, keymap: Keymap = .standard) -> [Effect] {
  var effects: [Effect] = []
  let planBefore = state.plan
  switch action {
  case .key(let chord):
    effects = reduceKey(&state, chord, keymap: keymap)
  case .command(let command):
    effects = perform(&state, command)
  case .mouse(let event):
    reduceMouse(&state, event)
  case .resize(let size):
    state.size = size
  case .signal:
    // A lost connection or a kill: the plan the user built is written beside the model.
    state.quitting = true
    effects = state.dirty ? [.writeRecoveryPlan(state.plan, path: state.recoveryPath), .quit] : [.quit]
    return effects
  case .statsReady(let tensor, let result):
    switch result {
    case .success(let analysis): state.stats[tensor] = .ready(analysis)
    case .failure(.cancelled): state.stats[tensor] = nil
    case .failure(.failed(let reason)): state.stats[tensor] = .failed(reason)
    }
  case .outcomeReady(let tensor, let scheme, let result):
    let key = OutcomeKey(tensor, scheme)
    switch result {
    case .success(let outcome): state.outcomes[key] = .ready(outcome)
    case .failure(.cancelled): state.outcomes[key] = nil
    case .failure(.failed(let reason)): state.outcomes[key] = .failed(reason)
    }
    if state.sort == .sqnr || (state.sort == .sensitivity && state.sensitivityMeasure == .mse) { state.rebuildVisible() }
    // A cancelled job that is needed again is restarted by requestMissingAnalyses below.
  case .saveProgress(let fraction):
    if case .save(var dialog) = state.overlay {
      dialog.progress = fraction
      state.overlay = .save(dialog)
    }
  case .saveStage(let stage):
    if case .save(var dialog) = state.overlay {
      dialog.stage = stage
      state.overlay = .save(dialog)
    }
  case .conversionPrepared(let kind, let result):
    effects = reduceConversionPrepared(&state, kind, result)
  case .saveFinished(let path, let error, let notes):
    reduceSaveFinished(&state, path: path, error: error, notes: notes)
  case .planLoaded(let path, let result):
    switch result {
    case .success(let plan):
      state.changePlan(plan)
      if path != state.recoveryPath { state.savedPlan = plan }
      state.message = Message("loaded plan \(path)", .success)
    case .failure(let error):
      state.message = Message("could not load the plan: \(error.description); keeping the current plan", .warning)
    }
  case .planSaved(let path, let error):
    if let error {
      state.message = Message("could not save the plan: \(error)", .error)
    } else {
      state.savedPlan = state.plan
      state.message = Message("saved plan \(path)", .success)
    }
  case .recoveryWritten(let path, let error):
    state.message = error.map { Message("could not write the recovery plan \(path): \($0)", .error) }
      ?? Message("plan kept in \(path)", .info)
  case .themeLoaded(let name, let warnings):
    state.themeName = name
    state.message = warnings.isEmpty ? Message("theme \(name)") : Message(warnings.joined(separator: "; "), .warning)
  case .recoveryFound(let path):
    state.overlay = .restorePlan(path: path)
  case .showMessage(let message):
    state.message = message
  case .evaluationOpened(let result):
    effects = reduceEvaluationOpened(&state, result)
  case .evaluationReady(let plan, let result):
    reduceEvaluationReady(&state, plan: plan, result)
  case .sensitivityReady(let result):
    reduceSensitivityReady(&state, result)
  case .sensitivityValueReady(let key, let result):
    switch result {
    case .success(let value): state.sensitivities[key] = .ready(value)
    case .failure(.cancelled): state.sensitivities[key] = nil
    case .failure(.failed(let reason)): state.sensitivities[key] = .failed(reason)
    }
    if state.sort == .sensitivity { state.rebuildVisible() }
  }
  if state.plan != planBefore { effects += state.requestEvaluation() }
  if state.quitting { return effects }
  let body = ScreenLayout(size: state.size, focus: state.focus).listBody
  if body.height > 1 {
    state.scroll = Scrolling.offset(keeping: state.cursor, visible: body.height - 1, current: state.scroll, count: state.visible.count)
  }
  return effects + state.requestMissingAnalyses() + state.requestMissingSensitivities()
}

func reduceKey(_ state: inout AppState, _ chord: KeyChord, keymap: Keymap) -> [Effect] {
  switch state.overlay {
  case .none:
    let context: KeyContext = state.focus == .list ? .list : .detail
    guard let command = keymap.command(for: chord, in: context) else { return [] }
    return perform(&state, command)
  case .filter(var input):
    if let command = keymap.command(for: chord, in: .textInput) {
      if command == .cancel { state.filter = "" }
      state.overlay = .none
      state.rebuildVisible()
      return []
    }
    input.handle(chord)
    state.overlay = .filter(input)
    state.filter = input.text
    state.rebuildVisible()
    state.message = FilterMatcher(input.text).isValid ? nil : Message("not a regular expression; matching as text", .warning)
    return []
  case .save(var dialog):
    return reduceSaveKey(&state, &dialog, chord, keymap: keymap)
  case .path(let purpose, var input):
    if let command = keymap.command(for: chord, in: .textInput) {
      state.overlay = .none
      guard command == .confirm, !input.text.isEmpty else { return [] }
      switch purpose {
      case .savePlan: return [.savePlan(state.plan, path: input.text)]
      case .loadPlan: return [.loadPlan(path: input.text)]
      }
    }
    input.handle(chord)
    state.overlay = .path(purpose, input)
    return []
  case .confirmQuit:
    switch chord.key {
    case .char("y"), .char("Y"), .char("q"), .enter:
      state.quitting = true
      return [.writeRecoveryPlan(state.plan, path: state.recoveryPath), .quit]
    case .char("p"):
      state.overlay = .path(.savePlan, TextInputState(defaultPlanPath(state)))
      return []
    default:
      state.overlay = .none
      return []
    }
  case .restorePlan(let path):
    switch chord.key {
    case .char("r"), .enter:
      state.overlay = .none
      return [.loadPlan(path: path)]
    case .char("d"):
      state.overlay = .none
      state.message = Message("discarded the recovery plan")
      return [.removeFile(path)]
    default:
      state.overlay = .none
      state.message = Message("recovery plan kept for later: \(path)")
      return []
    }
  case .help(let scroll), .info(let scroll):
    let isHelp = state.overlay == .help(scroll: scroll)
    let command = keymap.command(for: chord, in: .overlay)
    var next = scroll
    switch command {
    case .moveDown?: next += 1
    case .moveUp?: next = max(0, scroll - 1)
    case .pageDown?: next += 10
    case .pageUp?: next = max(0, scroll - 10)
    case .cancel?, .confirm?:
      state.overlay = .none
      return []
    default:
      if chord == .char("?") || chord == .char("i") { state.overlay = .none }
      return []
    }
    state.overlay = isHelp ? .help(scroll: next) : .info(scroll: next)
    return []
  case .schemePicker(let selected):
    return reducePickerKey(&state, selected: selected, chord, keymap: keymap)
  case .frontier(let selected):
    return reduceFrontierKey(&state, selected: selected, chord, keymap: keymap)
  case .budget(let input):
    return reduceBudgetKey(&state, input, chord, keymap: keymap)
  }
}

func defaultPlanPath(_ state: AppState) -> String {
  let url = URL(fileURLWithPath: state.model.path)
  return url.deletingPathExtension().path + ".plan.json"
}

/// The default output path: `MODEL-qscope.EXT` beside the input.
public func defaultOutputPath(for input: String) -> String {
  let url = URL(fileURLWithPath: input)
  let ext = url.pathExtension
  let stem = url.deletingPathExtension().path
  return ext.isEmpty ? stem + "-qscope" : stem + "-qscope." + ext
}

func reduceMouse(_ state: inout AppState, _ event: MouseEvent) {
  guard state.overlay == .none else { return }
  let layout = ScreenLayout(size: state.size, focus: state.focus)
  switch event.action {
  case .wheelUp, .wheelDown:
    let delta = event.action == .wheelUp ? -3 : 3
    if layout.detail.contains(event.position) {
      state.detailScroll = max(0, state.detailScroll + delta)
    } else {
      state.moveCursor(by: delta)
    }
  case .click(.left), .press(.left):
    if layout.list.contains(event.position) {
      state.focus = .list
      let body = layout.listBody
      let firstDataRow = body.y + 1
      guard event.position.y >= firstDataRow, event.position.y < body.maxY else { return }
      let offset = Scrolling.offset(
        keeping: state.cursor, visible: body.height - 1, current: state.scroll, count: state.visible.count)
      let index = offset + event.position.y - firstDataRow
      if state.visible.indices.contains(index) {
        state.cursor = index
        state.detailScroll = 0
      }
    } else if layout.detail.contains(event.position) {
      state.focus = .detail
    }
  default:
    break
  }
}

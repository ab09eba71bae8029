import Foundation
import QuantEngine
import TUIKit
import Workflows

func perform(_ state: inout AppState, _ command: Command) -> [Effect] {
  switch command {
  case .moveUp:
    if state.focus == .detail { state.detailScroll = max(0, state.detailScroll - 1) } else { state.moveCursor(by: -1) }
  case .moveDown:
    if state.focus == .detail { state.detailScroll += 1 } else { state.moveCursor(by: 1) }
  case .pageUp: state.moveCursor(by: -state.listPageSize)
  case .pageDown: state.moveCursor(by: state.listPageSize)
  case .home: state.moveCursor(by: -state.visible.count)
  case .end: state.moveCursor(by: state.visible.count)
  case .focusNext: state.focus = state.focus == .list ? .detail : .list
  case .open:
    switch state.selectedRow {
    case .group?: toggleFold(&state)
    case .tensor?: state.focus = .detail
    case nil: break
    }
  case .back:
    if state.focus == .detail {
      state.focus = .list
    } else if !state.filter.isEmpty {
      state.filter = ""
      state.rebuildVisible()
      state.message = Message("filter cleared")
    }
  case .toggleFold: toggleFold(&state)
  case .nextScheme, .previousScheme:
    cycleScheme(&state, forward: command == .nextScheme)
  case .pickScheme:
    guard let tensor = state.selectedTensor else {
      state.message = Message("select a tensor to pick its scheme", .warning)
      return []
    }
    let current = state.planned[tensor]
    let position = current.flatMap { Scheme.allCases.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
    state.overlay = .schemePicker(selected: position)
  case .applyToMatching: applyToMatching(&state)
  case .filter: state.overlay = .filter(TextInputState(state.filter))
  case .sortNext:
    let all = state.sortableColumns
    state.sort = all[((all.firstIndex(of: state.sort) ?? 0) + 1) % all.count]
    state.rebuildVisible()
    state.message = Message(state.sort == .file ? "file order, grouped by layer" : "sorted by \(state.sort.rawValue)")
  case .sortSensitivity:
    if state.sort == .sensitivity && state.sortDescending {
      state.sort = .file
      state.sortDescending = false
      state.message = Message("file order, grouped by layer")
    } else {
      state.sort = .sensitivity
      state.sortDescending = true
      state.message = Message("ranked by sensitivity (\(state.sensitivityMeasure.rawValue)), most sensitive first; kept tensors last")
    }
    state.rebuildVisible()
  case .sortReverse:
    state.sortDescending.toggle()
    state.rebuildVisible()
  case .jumpWorst, .jumpLargest:
    jump(&state, worst: command == .jumpWorst)
  case .undo:
    guard let previous = state.undoStack.popLast() else {
      state.message = Message("nothing to undo")
      return []
    }
    state.redoStack.append(state.plan)
    state.plan = previous
    state.planChanged()
    state.message = Message("undone")
  case .redo:
    guard let next = state.redoStack.popLast() else {
      state.message = Message("nothing to redo")
      return []
    }
    state.undoStack.append(state.plan)
    state.plan = next
    state.planChanged()
    state.message = Message("redone")
  case .save:
    let path = state.lastSavePath ?? outputPath(defaultOutputPath(for: state.model.path), format: state.outputFormat)
    state.overlay = .save(SaveDialog(input: TextInputState(path), format: state.outputFormat))
  case .savePlan: state.overlay = .path(.savePlan, TextInputState(defaultPlanPath(state)))
  case .loadPlan: state.overlay = .path(.loadPlan, TextInputState(defaultPlanPath(state)))
  case .cycleTheme:
    guard !state.themes.isEmpty else { return [] }
    let next = state.themes[((state.themes.firstIndex(of: state.themeName) ?? -1) + 1) % state.themes.count]
    return [.loadTheme(next)]
  case .info: state.overlay = .info(scroll: 0)
  case .help: state.overlay = .help(scroll: 0)
  case .toggleDefinitions: state.showDefinitions.toggle()
  case .quit:
    if state.dirty {
      state.overlay = .confirmQuit
    } else {
      state.quitting = true
      return [.quit]
    }
  case .frontier: return openFrontier(&state)
  case .autoBudget: return openBudget(&state)
  case .pin: togglePin(&state)
  case .confirm, .cancel, .previousPoint, .nextPoint:
    break
  }
  return []
}

func toggleFold(_ state: inout AppState) {
  guard state.sort == .file, let row = state.selectedRow else { return }
  let group: Int
  switch row {
  case .group(let g): group = g
  case .tensor(let t): group = state.model.rows[t].group
  }
  if state.folded.contains(group) { state.folded.remove(group) } else { state.folded.insert(group) }
  state.rebuildVisible()
  if let position = state.visible.firstIndex(of: .group(group)), state.folded.contains(group) { state.cursor = position }
}

func cycleScheme(_ state: inout AppState, forward: Bool) {
  guard let tensor = state.selectedTensor else {
    // On a layer heading the arrows fold and unfold, as in a tree.
    if case .group(let g)? = state.selectedRow {
      if forward { state.folded.remove(g) } else { state.folded.insert(g) }
      state.rebuildVisible()
    }
    return
  }
  let choices = state.schemeChoices(tensor)
  let current = state.planned[tensor]
  let position = choices.firstIndex(of: current) ?? 0
  let next = choices[(position + (forward ? 1 : choices.count - 1)) % choices.count]
  state.changePlan(state.plan(setting: tensor, to: next))
  state.message = Message("\(state.model.rows[tensor].name): \(next?.rawValue ?? "keep")")
}

func applyToMatching(_ state: inout AppState) {
  guard let tensor = state.selectedTensor else {
    state.message = Message("select a tensor whose scheme to apply", .warning)
    return
  }
  let scheme = state.planned[tensor]
  let source = state.model.rows[tensor]
  let targets: [Int]
  let scope: String
  if !state.filter.isEmpty {
    let matcher = FilterMatcher(state.filter)
    targets = state.model.rows.indices.filter { matcher.matches(state.model.rows[$0].name) }
    scope = "matching /\(state.filter)/"
  } else {
    targets = state.model.rows.indices.filter { state.model.rows[$0].op == source.op }
    scope = "of op \(source.op ?? "(none)")"
  }
  var plan = state.plan
  var applied = 0, skipped = 0
  for target in targets {
    if let scheme, state.model.rows[target].refusals[scheme] != nil { skipped += 1; continue }
    var copy = state
    copy.plan = plan
    plan = copy.plan(setting: target, to: scheme)
    applied += 1
  }
  state.changePlan(plan)
  let skippedText = skipped > 0 ? " (\(skipped) skipped: the format cannot store it there)" : ""
  state.message = Message("\(scheme?.rawValue ?? "keep") applied to \(applied) tensor(s) \(scope)\(skippedText)")
}

func jump(_ state: inout AppState, worst: Bool) {
  let candidates: [Int]
  if worst {
    candidates = state.model.rows.indices
      .filter { state.plannedOutcome($0)?.value?.metrics.sqnrDB.isFinite == true }
      .sorted { state.sqnrKey($0) < state.sqnrKey($1) }
    guard !candidates.isEmpty else {
      state.message = Message("no measured tensor yet: pick a scheme first", .warning)
      return
    }
  } else {
    candidates = state.model.rows.indices.sorted { state.model.rows[$0].bytes > state.model.rows[$1].bytes }
    guard !candidates.isEmpty else { return }
  }
  // Repeated jumps walk down the ranking.
  var rank = 0
  if let current = state.selectedTensor, let position = candidates.firstIndex(of: current) {
    rank = (position + 1) % candidates.count
  }
  let target = candidates[rank]
  state.select(tensor: target)
  let what = worst ? "worst SQNR" : "largest"
  state.message = Message("#\(rank + 1) \(what): \(state.model.rows[target].name)")
}

import Foundation
import QuantEngine
import TUIKit
import Workflows

/// `f`: opens the frontier; starts the sensitivity table when there is none yet.
func openFrontier(_ state: inout AppState) -> [Effect] {
  let effects = startSensitivityIfNeeded(&state)
  state.overlay = .frontier(selected: state.autopilot.planner.map { state.frontierStart($0) } ?? 0)
  return effects
}

/// `A`: asks for a budget; the table is computed meanwhile.
func openBudget(_ state: inout AppState) -> [Effect] {
  let effects = startSensitivityIfNeeded(&state)
  state.overlay = .budget(TextInputState())
  return effects
}

func startSensitivityIfNeeded(_ state: inout AppState) -> [Effect] {
  switch state.autopilot.sensitivity {
  case .idle, .failed:
    state.autopilot.sensitivity = .computing
    return [.computeSensitivity]
  case .computing, .ready:
    return []
  }
}

/// `P`: pins the selected tensor at its current scheme, or unpins it.
func togglePin(_ state: inout AppState) {
  guard let tensor = state.selectedTensor else {
    state.message = Message("select a tensor to pin it", .warning)
    return
  }
  let row = state.model.rows[tensor]
  if state.autopilot.pins[row.name] != nil {
    state.autopilot.pins[row.name] = nil
    state.autopilot.rebuildPlanner()
    state.message = Message("unpinned \(row.name)")
    return
  }
  guard row.isQuantizable else {
    state.message = Message("\(row.name) is not quantizable; the autopilot never changes it", .warning)
    return
  }
  let choice: PinnedChoice = state.planned[tensor].map { .scheme($0) } ?? .keep
  state.autopilot.pins[row.name] = choice
  state.autopilot.rebuildPlanner()
  if let reason = state.autopilot.plannerError {
    // A pin the table cannot honour is refused rather than leaving the autopilot unusable.
    state.autopilot.pins[row.name] = nil
    state.autopilot.rebuildPlanner()
    state.message = Message("cannot pin: \(reason)", .warning)
    return
  }
  state.message = Message("pinned \(row.name) at \(choice.scheme?.rawValue ?? "keep")", .success)
}

func reduceSensitivityReady(_ state: inout AppState, _ result: Result<SensitivityTable, AnalysisFailure>) {
  switch result {
  case .success(let table):
    state.autopilot.sensitivity = .ready(table)
    let names = table.tensors.filter(\.isQuantizable).map(\.name)
    let fused = (try? AutoGrouping.groups(modes: [.automatic], names: names, targetFormat: state.outputFormat)) ?? []
    // Weights the output format's writer quantizes only together (an LSTM's) get one scheme.
    let joint = state.model.jointGroups.map { group in
      group.members.compactMap { state.model.rows.indices.contains($0) ? state.model.rows[$0].name : nil }
    }
    state.autopilot.groups = AutoGrouping.adding(joint: joint, to: fused, names: names)
    state.autopilot.rebuildPlanner()
    if let reason = state.autopilot.plannerError {
      state.message = Message("autopilot: \(reason)", .warning)
    }
    if case .frontier = state.overlay, let planner = state.autopilot.planner {
      state.overlay = .frontier(selected: state.frontierStart(planner))
    }
    if let target = state.autopilot.pendingTarget {
      state.autopilot.pendingTarget = nil
      applyBudget(&state, target)
    }
  case .failure(.cancelled):
    // Esc already reset the status, or a newer computation is running.
    return
  case .failure(.failed(let reason)):
    state.autopilot.sensitivity = .failed(reason)
    state.autopilot.pendingTarget = nil
    state.message = Message("sensitivity failed: \(reason)", .error)
  }
}

func reduceFrontierKey(_ state: inout AppState, selected: Int, _ chord: KeyChord, keymap: Keymap) -> [Effect] {
  let command = keymap.command(for: chord, in: .frontier)
  if command == .cancel {
    state.overlay = .none
    if state.autopilot.sensitivity.isComputing && state.autopilot.pendingTarget == nil {
      state.autopilot.sensitivity = .idle
      return [.cancelSensitivity]
    }
    return []
  }
  guard let planner = state.autopilot.planner, planner.pointCount > 0 else { return [] }
  let last = planner.pointCount - 1
  let page = max(1, planner.pointCount / 10)
  var next = min(max(0, selected), last)
  switch command {
  case .previousPoint?: next -= 1
  case .nextPoint?: next += 1
  case .pageUp?: next -= page
  case .pageDown?: next += page
  case .home?: next = 0
  case .end?: next = last
  case .confirm?:
    let plan = state.merging(autopilot: planner.plan(atPoint: next), table: planner.table)
    state.overlay = .none
    state.changePlan(plan)
    state.message = Message("applied frontier point \(next + 1)/\(planner.pointCount): \(planner.point(next).summary)", .success)
    return []
  default:
    return []
  }
  state.overlay = .frontier(selected: min(max(0, next), last))
  return []
}

func reduceBudgetKey(_ state: inout AppState, _ input: TextInputState, _ chord: KeyChord, keymap: Keymap) -> [Effect] {
  var input = input
  guard let command = keymap.command(for: chord, in: .textInput) else {
    input.handle(chord)
    state.overlay = .budget(input)
    return []
  }
  guard command == .confirm else {
    state.overlay = .none
    return []
  }
  guard let target = BudgetText.parse(input.text) else {
    state.message = Message("not a budget: '\(input.text)' (try 50%, 2M, 2000000 or 4.5bpw)", .warning)
    return []
  }
  state.overlay = .none
  switch state.autopilot.sensitivity {
  case .ready:
    applyBudget(&state, target)
    return []
  case .computing:
    state.autopilot.pendingTarget = target
    state.message = Message("computing sensitivity…; \(target.description) is applied when it is ready")
    return []
  case .idle, .failed:
    state.autopilot.pendingTarget = target
    state.autopilot.sensitivity = .computing
    return [.computeSensitivity]
  }
}

/// Solves for `target` and applies the plan (undoable), or says why it cannot.
func applyBudget(_ state: inout AppState, _ target: AutoTarget) {
  guard let planner = state.autopilot.planner else {
    state.message = Message("autopilot unavailable: \(state.autopilot.plannerError ?? "no sensitivity table")", .warning)
    return
  }
  do {
    let solution = try planner.solve(target)
    state.changePlan(state.merging(autopilot: solution.plan, table: planner.table))
    state.message = Message("autopilot for \(target.description): \(solution.point.summary)", .success)
  } catch {
    switch error {
    case .unreachable(let target, let closest):
      // The CLI's wording ends in "no plan written"; here the plan simply stays as it is.
      state.message = Message("no plan reaches \(target); the closest is \(closest); plan unchanged", .warning)
    case .badConstraint(let reason):
      state.message = Message("autopilot: \(reason); plan unchanged", .warning)
    }
  }
}

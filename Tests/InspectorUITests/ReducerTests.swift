import Foundation
import InspectorUI
import QuantEngine
import Testing
import TUIKit
import Workflows

@Suite struct ReducerTests {
  /// Moves the cursor to the first row showing `name`.
  func select(_ name: String, in state: inout AppState) throws -> Int {
    let tensor = try #require(state.model.rows.firstIndex { $0.name == name })
    state.select(tensor: tensor)
    _ = reduce(&state, .resize(state.size))
    return tensor
  }

  @Test("moving onto a tensor asks for its statistics once")
  func movingRequestsStats() throws {
    var (state, _, _) = try TestModel.state()
    #expect(state.selectedRow == .group(0))
    let effects = reduce(&state, .key(.char("j")))
    let tensor = try #require(state.selectedTensor)
    #expect(effects == [.computeStats(tensor)])
    #expect(state.stats[tensor] == .pending)
    #expect(reduce(&state, .key(.char("?"))).isEmpty)
  }

  @Test("cycling the scheme changes the plan, asks for its error and can be undone and redone")
  func cycleUndoRedo() throws {
    var (state, _, _) = try TestModel.state()
    let tensor = try select("fc1.weight", in: &state)
    #expect(!state.dirty)
    let effects = reduce(&state, .key(KeyChord(.right)))
    let first = try #require(state.planned[tensor])
    #expect(first == state.model.rows[tensor].storableSchemes.first)
    #expect(effects.contains(.computeOutcome(tensor, first)))
    #expect(state.dirty)
    _ = reduce(&state, .key(.char("s")))
    #expect(state.planned[tensor] == state.model.rows[tensor].storableSchemes.dropFirst().first)
    _ = reduce(&state, .key(.char("u")))
    #expect(state.planned[tensor] == first)
    _ = reduce(&state, .key(.char("u")))
    #expect(state.planned[tensor] == nil)
    #expect(!state.dirty)
    _ = reduce(&state, .key(.ctrl("r")))
    #expect(state.planned[tensor] == first)
    _ = reduce(&state, .key(KeyChord(.left)))
    #expect(state.planned[tensor] == nil)
  }

  @Test("engine results fill the summary: size, bits per weight and the energy-weighted SQNR")
  func summaryFollowsResults() throws {
    var (state, model, _) = try TestModel.state()
    let service = AnalysisService(model: model)
    var plan = Plan()
    plan.tensors = ["fc1.weight": .int8, "fc2.weight": .int4]
    state.changePlan(plan)
    _ = reduce(&state, .resize(state.size))
    var summary = PlanSummary(state: state)
    #expect(summary.changed == 2)
    #expect(summary.pending == 2)
    #expect(summary.sqnrDB == nil)
    let a = try service.outcome(0, .int8).get()
    let b = try service.outcome(2, .int4).get()
    _ = reduce(&state, .outcomeReady(0, .int8, .success(a)))
    _ = reduce(&state, .outcomeReady(2, .int4, .success(b)))
    summary = PlanSummary(state: state)
    #expect(summary.pending == 0)
    let expected = 10 * log10((a.signalEnergy + b.signalEnergy) / (a.noiseEnergy + b.noiseEnergy))
    #expect(abs((summary.sqnrDB ?? 0) - expected) < 1e-9)
    #expect(summary.plannedBytes == model.fileBytes - 32 * 64 * 4 + a.metrics.storedBytes - 16 * 32 * 4 + b.metrics.storedBytes)
    #expect(abs((summary.bitsPerWeight ?? 0) - 8 * Double(a.metrics.storedBytes + b.metrics.storedBytes) / Double(32 * 64 + 16 * 32)) < 1e-9)
  }

  @Test("a cancelled result is forgotten and asked for again while still needed")
  func cancelledIsRequested() throws {
    var (state, _, _) = try TestModel.state()
    let tensor = try select("fc1.weight", in: &state)
    _ = reduce(&state, .key(.char("s")))
    let scheme = try #require(state.planned[tensor])
    let effects = reduce(&state, .outcomeReady(tensor, scheme, .failure(.cancelled)))
    #expect(effects.contains(.computeOutcome(tensor, scheme)))
    _ = reduce(&state, .outcomeReady(tensor, scheme, .failure(.failed("boom"))))
    #expect(state.outcomes[OutcomeKey(tensor, scheme)] == .failed("boom"))
  }

  @Test("the filter narrows the list and `a` applies the scheme to every match")
  func filterAndApply() throws {
    var (state, _, _) = try TestModel.state()
    _ = reduce(&state, .key(.char("/")))
    for c in "weight" { _ = reduce(&state, .key(.char(c))) }
    _ = reduce(&state, .key(KeyChord(.enter)))
    #expect(state.filter == "weight")
    let shown = state.visible.compactMap { row -> String? in
      if case .tensor(let t) = row { return state.model.rows[t].name }
      return nil
    }
    #expect(shown == ["fc1.weight", "fc2.weight"])
    _ = reduce(&state, .key(.char("j")))
    _ = reduce(&state, .key(.char("s")))
    let scheme = try #require(state.selectedTensor.flatMap { state.planned[$0] })
    _ = reduce(&state, .key(.char("a")))
    #expect(state.plan.tensors == ["fc1.weight": scheme, "fc2.weight": scheme])
    _ = reduce(&state, .key(KeyChord(.escape)))
    #expect(state.filter.isEmpty)
  }

  @Test("quitting with an unsaved plan asks, then writes the recovery plan")
  func quitAsks() throws {
    var (state, _, _) = try TestModel.state()
    #expect(reduce(&state, .key(.char("q"))) == [.quit])
    (state, _, _) = try TestModel.state()
    _ = try select("fc1.weight", in: &state)
    _ = reduce(&state, .key(.char("s")))
    #expect(reduce(&state, .key(.char("q"))).isEmpty)
    #expect(state.overlay == .confirmQuit)
    #expect(reduce(&state, .key(.char("n"))).isEmpty)
    #expect(state.overlay == .none)
    _ = reduce(&state, .key(.char("q")))
    let effects = reduce(&state, .key(.char("y")))
    #expect(effects == [.writeRecoveryPlan(state.plan, path: state.model.path + ".qscope-plan.json"), .quit])
  }

  @Test("a hang-up keeps an unsaved plan beside the model", arguments: [TerminalSignal.hangup, .terminate, .interrupt])
  func signalWritesRecovery(_ signal: TerminalSignal) throws {
    var (state, _, _) = try TestModel.state()
    #expect(reduce(&state, .signal(signal)) == [.quit])
    (state, _, _) = try TestModel.state()
    _ = try select("fc2.weight", in: &state)
    _ = reduce(&state, .key(.char("s")))
    #expect(reduce(&state, .signal(signal)) == [.writeRecoveryPlan(state.plan, path: state.recoveryPath), .quit])
  }

  @Test("the save dialog proposes MODEL-qscope.EXT and refuses the input file")
  func saveDialog() throws {
    var (state, _, _) = try TestModel.state()
    _ = reduce(&state, .key(.char("w")))
    guard case .save(let dialog) = state.overlay else { Issue.record("no save dialog"); return }
    #expect(dialog.input.text == state.model.path.replacingOccurrences(of: ".safetensors", with: "-qscope.safetensors"))
    for _ in 0..<dialog.input.text.count { _ = reduce(&state, .key(KeyChord(.backspace))) }
    for c in state.model.path { _ = reduce(&state, .key(.char(c))) }
    #expect(reduce(&state, .key(KeyChord(.enter))).isEmpty)
    guard case .save(let refused) = state.overlay else { Issue.record("dialog closed"); return }
    #expect(refused.error?.contains("input file") == true)
    _ = reduce(&state, .key(.char("2")))
    let effects = reduce(&state, .key(KeyChord(.enter)))
    #expect(effects.first == .save(SaveRequest(path: state.model.path + "2", plan: state.plan, overwrite: false, format: .safetensors)))
    _ = reduce(&state, .saveFinished(path: state.model.path + "2", error: nil, notes: []))
    #expect(state.overlay == .none)
    #expect(state.message?.kind == .success)
  }

  @Test("the picker refuses schemes the format cannot store and says why")
  func pickerDisabled() throws {
    var (state, _, _) = try TestModel.state()
    let tensor = try select("fc2.weight", in: &state)
    let refused = try #require(Scheme.allCases.first { state.model.rows[tensor].refusals[$0] != nil })
    _ = reduce(&state, .key(.char("S")))
    let position = try #require(Scheme.allCases.firstIndex(of: refused)) + 1
    state.overlay = .schemePicker(selected: position)
    _ = reduce(&state, .key(KeyChord(.enter)))
    #expect(state.planned[tensor] == nil)
    #expect(state.message?.text.contains("disabled") == true)
  }

  @Test("sorting by size flattens the list, largest last, and reversing puts it first")
  func sorting() throws {
    var (state, _, _) = try TestModel.state()
    while state.sort != .size { _ = reduce(&state, .key(.char("c"))) }
    #expect(state.visible.count == 4)
    #expect(state.visible.last == .tensor(0))
    _ = reduce(&state, .key(.char("C")))
    #expect(state.visible.first == .tensor(0))
  }
}

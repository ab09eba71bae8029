import Foundation
import InspectorUI
import QuantEngine
import Testing
import TUIKit
import Workflows

@Suite struct AutopilotTests {
  /// A state with the test MLP and its data-free sensitivity table, computed here as the runtime would.
  func setup(size: Size = Size(width: 120, height: 40)) throws -> (AppState, SensitivityTable) {
    let (state, model, format) = try TestModel.state(size: size)
    let table = try Sensitivity.dataFree(model, format: format, options: Sensitivity.Options(threads: 1))
    return (state, table)
  }

  func selectedPoint(_ state: AppState) -> Int? {
    if case .frontier(let selected) = state.overlay { return selected }
    return nil
  }

  func type(_ text: String, into state: inout AppState) {
    for character in text { _ = reduce(&state, .key(.char(character))) }
  }

  func select(_ name: String, in state: inout AppState) throws -> Int {
    let tensor = try #require(state.model.rows.firstIndex { $0.name == name })
    state.select(tensor: tensor)
    _ = reduce(&state, .resize(state.size))
    return tensor
  }

  @Test("f opens the frontier and starts the sensitivity table once; its arrival gives points")
  func openAndArrive() throws {
    var (state, table) = try setup()
    let effects = reduce(&state, .key(.char("f")))
    #expect(effects.contains(.computeSensitivity))
    #expect(state.autopilot.sensitivity.isComputing)
    #expect(selectedPoint(state) != nil)
    _ = reduce(&state, .key(KeyChord(.escape)))
    #expect(state.overlay == .none)
    #expect(!state.autopilot.sensitivity.isComputing)
    #expect(reduce(&state, .key(.char("f"))).contains(.computeSensitivity))
    _ = reduce(&state, .sensitivityReady(.success(table)))
    let planner = try #require(state.autopilot.planner)
    #expect(planner.pointCount > 2)
    // The unchanged plan keeps everything: the start is the most accurate (largest) point.
    #expect(selectedPoint(state) == planner.pointCount - 1)
  }

  @Test("←/→ move along the points; Enter applies that point's plan and undo restores the old one")
  func moveApplyUndo() throws {
    var (state, table) = try setup()
    _ = reduce(&state, .key(.char("f")))
    _ = reduce(&state, .sensitivityReady(.success(table)))
    let planner = try #require(state.autopilot.planner)
    _ = reduce(&state, .key(KeyChord(.home)))
    #expect(selectedPoint(state) == 0)
    _ = reduce(&state, .key(KeyChord(.left)))
    #expect(selectedPoint(state) == 0)
    _ = reduce(&state, .key(KeyChord(.right)))
    _ = reduce(&state, .key(KeyChord(.right)))
    #expect(selectedPoint(state) == 2)
    let before = state.plan
    _ = reduce(&state, .key(KeyChord(.enter)))
    #expect(state.overlay == .none)
    #expect(state.plan == planner.plan(atPoint: 2))
    #expect(state.plan != before)
    let point = try #require(state.currentPlanPoint(planner))
    #expect(point.fileBytes == planner.point(2).fileBytes)
    _ = reduce(&state, .key(.char("u")))
    #expect(state.plan == before)
  }

  @Test("A with 50% applies a plan within half the input; undo restores")
  func budgetPercent() throws {
    var (state, table) = try setup()
    _ = reduce(&state, .sensitivityReady(.success(table)))
    _ = reduce(&state, .key(.char("A")))
    type("50%", into: &state)
    _ = reduce(&state, .key(KeyChord(.enter)))
    #expect(state.overlay == .none)
    let planner = try #require(state.autopilot.planner)
    let point = try #require(state.currentPlanPoint(planner))
    #expect(point.fileBytes <= state.model.fileBytes / 2)
    #expect(!state.plan.tensors.isEmpty)
    #expect(state.message?.kind == .success)
    _ = reduce(&state, .key(.char("u")))
    #expect(state.plan == Plan())
  }

  @Test("a budget typed while the table computes is applied when it arrives")
  func budgetWhileComputing() throws {
    var (state, table) = try setup()
    #expect(reduce(&state, .key(.char("A"))).contains(.computeSensitivity))
    type("6bpw", into: &state)
    _ = reduce(&state, .key(KeyChord(.enter)))
    #expect(state.plan == Plan())
    _ = reduce(&state, .sensitivityReady(.success(table)))
    let planner = try #require(state.autopilot.planner)
    let point = try #require(state.currentPlanPoint(planner))
    #expect(point.bitsPerWeight <= 6)
    #expect(state.plan != Plan())
  }

  @Test("an impossible budget leaves the plan and says so; nonsense is refused")
  func impossibleBudget() throws {
    var (state, table) = try setup()
    _ = reduce(&state, .sensitivityReady(.success(table)))
    _ = reduce(&state, .key(.char("A")))
    type("100", into: &state)
    _ = reduce(&state, .key(KeyChord(.enter)))
    #expect(state.plan == Plan())
    #expect(state.message?.text.contains("no plan reaches size 100 B") == true)
    #expect(state.message?.text.hasSuffix("plan unchanged") == true)
    _ = reduce(&state, .key(.char("A")))
    type("lots", into: &state)
    _ = reduce(&state, .key(KeyChord(.enter)))
    #expect(state.message?.text.contains("not a budget") == true)
    #expect(state.plan == Plan())
  }

  @Test("P pins the tensor at its scheme; the solver's plan keeps it")
  func pinKept() throws {
    var (state, table) = try setup()
    _ = reduce(&state, .sensitivityReady(.success(table)))
    let tensor = try select("fc2.weight", in: &state)
    // A scheme the solver would not pick at a tight budget: 8 bits.
    state.changePlan(state.plan(setting: tensor, to: .int8))
    _ = reduce(&state, .key(.char("P")))
    #expect(state.autopilot.pins["fc2.weight"] == .scheme(.int8))
    #expect(state.message?.kind == .success)
    _ = reduce(&state, .key(.char("A")))
    type("30%", into: &state)
    _ = reduce(&state, .key(KeyChord(.enter)))
    #expect(state.planned[tensor] == .int8)
    #expect(state.planned[0] != nil)
    // Unpinned, a frontier's smallest point is free to change it.
    _ = reduce(&state, .key(.char("P")))
    #expect(state.autopilot.pins.isEmpty)
    _ = reduce(&state, .key(.char("f")))
    _ = reduce(&state, .key(KeyChord(.home)))
    _ = reduce(&state, .key(KeyChord(.enter)))
    #expect(state.planned[tensor] != .int8)
  }
}

@Suite struct FrontierViewTests {
  @Test("100×30: the frontier overlay shows its title, the axis labels and the point's totals")
  func overlay() throws {
    var (state, model, format) = try TestModel.state(size: Size(width: 100, height: 30))
    _ = reduce(&state, .key(.char("f")))
    let screen = VirtualScreen(width: 100, height: 30)
    _ = reduce(&state, .key(KeyChord(.escape)))
    _ = reduce(&state, .key(.char("A")))
    for character in "4.5bpw" { _ = reduce(&state, .key(.char(character))) }
    var lines = screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: .unicode, into: &buffer) }
    #expect(lines.contains { $0.contains("Autopilot budget") })
    #expect(lines.contains { $0.contains("4.5bpw") })
    _ = reduce(&state, .key(KeyChord(.escape)))
    _ = reduce(&state, .key(.char("f")))
    lines = screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: .unicode, into: &buffer) }
    #expect(lines.contains { $0.contains("computing sensitivity…") })
    let table = try Sensitivity.dataFree(model, format: format, options: Sensitivity.Options(threads: 1))
    _ = reduce(&state, .sensitivityReady(.success(table)))
    lines = screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: .unicode, into: &buffer) }
    #expect(lines.contains { $0.contains("Frontier: size vs SQNR") })
    #expect(lines.contains { $0.contains("SQNR dB") })
    #expect(lines.contains { $0.contains("size") && $0.contains("B") && !$0.contains("point") })
    #expect(lines.contains { $0.contains("point ") && $0.contains("ratio") && $0.contains("bpw") })
    #expect(lines.contains { $0.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) } })
    if ProcessInfo.processInfo.environment["QSCOPE_DUMP"] != nil { print(lines.joined(separator: "\n")) }
    let ascii = screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: .ascii, into: &buffer) }
    #expect(ascii.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
    #expect(ascii.contains { $0.contains("SQNR dB") })
    if ProcessInfo.processInfo.environment["QSCOPE_DUMP"] != nil { print(ascii.joined(separator: "\n")) }
  }
}

@Suite struct AutopilotRuntimeTests {
  @Test("the runtime computes the table in the background; `A` 40% applies the solver's plan")
  func runtimeBudget() throws {
    let (model, format) = try TestModel.mlp()
    let screen = VirtualScreen(width: 100, height: 30)
    screen.pendingEvents = [.key(.char("A")), .key(.char("4")), .key(.char("0")), .key(.char("%")), .key(KeyChord(.enter))]
    let runtime = InspectorRuntime(model: model, format: format, theme: .builtinDefault)
    var state = AppState(model: ModelSummary(model: model, format: format), size: screen.size)
    state = try InspectorApp.run(backend: screen, state: state, runtime: runtime, maxIterations: 6)
    var rounds = 0
    while (runtime.busy || state.autopilot.sensitivity.isComputing) && rounds < 500 {
      Thread.sleep(forTimeInterval: 0.01)
      state = try InspectorApp.run(backend: screen, state: state, runtime: runtime, maxIterations: 2)
      rounds += 1
    }
    let planner = try #require(state.autopilot.planner)
    let point = try #require(state.currentPlanPoint(planner))
    #expect(point.fileBytes <= model.fileBytes * 40 / 100)
    #expect(state.message?.text.hasPrefix("autopilot for size 40% of the input") == true)
  }

  @Test("Esc on the frontier while the table computes cancels it")
  func escCancels() throws {
    var (state, _, _) = try TestModel.state()
    _ = reduce(&state, .key(.char("f")))
    #expect(reduce(&state, .key(KeyChord(.escape))) == [.cancelSensitivity])
    // A late cancelled result changes nothing.
    _ = reduce(&state, .sensitivityReady(.failure(.cancelled)))
    #expect(state.autopilot.planner == nil)
    #expect(!state.autopilot.sensitivity.isComputing)
    _ = reduce(&state, .sensitivityReady(.failure(.failed("disk gone"))))
    #expect(state.message?.text.contains("disk gone") == true)
  }

  @Test("a pinned tensor shows a marker in the list")
  func pinMarker() throws {
    var (state, _, _) = try TestModel.state(size: Size(width: 100, height: 30))
    let tensor = try #require(state.model.rows.firstIndex { $0.name == "fc1.weight" })
    state.select(tensor: tensor)
    _ = reduce(&state, .key(.char("P")))
    #expect(state.autopilot.pins["fc1.weight"] == .keep)
    let screen = VirtualScreen(width: 100, height: 30)
    let lines = screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: .unicode, into: &buffer) }
    #expect(lines.contains { $0.contains("fc1.weight") && $0.contains("◆keep") })
    #expect(!lines.contains { $0.contains("fc2.weight") && $0.contains("◆") })
    let bias = try #require(state.model.rows.firstIndex { $0.name == "fc1.bias" })
    state.select(tensor: bias)
    _ = reduce(&state, .key(.char("P")))
    #expect(state.autopilot.pins["fc1.bias"] == nil)
    #expect(state.message?.kind == .warning)
  }
}

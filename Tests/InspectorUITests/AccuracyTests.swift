import Foundation
import InspectorUI
import QuantEngine
import Testing
import TUIKit
import Workflows

@Suite struct AccuracyTests {
  func render(_ state: AppState, width: Int = 160, height: Int = 30) -> [String] {
    let screen = VirtualScreen(width: width, height: height)
    return screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: .unicode, into: &buffer) }
  }

  func summaryLine(_ state: AppState, width: Int = 160, height: Int = 30) -> String {
    render(state, width: width, height: height)[height - 2]
  }

  let figures = LiveAccuracy(floatAccuracy: 0.989, accuracy: 0.986, agreement: 0.997, klDivergence: 0.0012)

  @Test("no evaluation data: no accuracy and no evaluation is asked for on plan changes")
  func unavailable() throws {
    var (state, _, _) = try TestModel.state()
    #expect(reduce(&state, .evaluationOpened(.failure(.failed("no evaluation data")))).isEmpty)
    #expect(state.accuracy == nil)
    #expect(state.message == nil)
    let effects = reduce(&state, .key(.char("j"))) + reduce(&state, .key(.char("l")))
    #expect(!effects.contains { if case .evaluate = $0 { true } else { false } })
    #expect(!summaryLine(state).contains("acc"))
  }

  @Test("--data that cannot be used says why")
  func explicitDataFailure() throws {
    var (state, _, _) = try TestModel.state()
    state.explicitData = true
    _ = reduce(&state, .evaluationOpened(.failure(.failed("weights only"))))
    #expect(state.message?.text.contains("weights only") == true)
  }

  @Test("opening asks for the current plan; every plan change asks again and marks it pending")
  func planChangesEvaluate() throws {
    var (state, _, _) = try TestModel.state()
    var effects = reduce(&state, .evaluationOpened(.success(0.989)))
    #expect(effects.contains(.evaluate(Plan())))
    #expect(state.accuracy == AccuracyStatus(figures: nil, computing: true))
    _ = reduce(&state, .evaluationReady(plan: Plan(), .success(figures)))
    #expect(state.accuracy == AccuracyStatus(figures: figures, computing: false))
    _ = reduce(&state, .key(.char("j")))
    effects = reduce(&state, .key(.char("l")))
    #expect(state.plan != Plan())
    #expect(effects.contains(.evaluate(state.plan)))
    #expect(state.accuracy?.computing == true)
    // The old figures stay while the new plan is evaluated.
    #expect(state.accuracy?.figures == figures)
    // Moving the cursor does not change the plan, so nothing is evaluated.
    #expect(!reduce(&state, .key(.char("j"))).contains(.evaluate(state.plan)))
    effects = reduce(&state, .key(.char("u")))
    #expect(effects.contains(.evaluate(Plan())))
  }

  @Test("a result for an older plan updates the figures but keeps the pending mark; cancelled ones are ignored")
  func staleResults() throws {
    var (state, _, _) = try TestModel.state()
    _ = reduce(&state, .evaluationOpened(.success(0.9)))
    _ = reduce(&state, .key(.char("j")))
    _ = reduce(&state, .key(.char("l")))
    let newer = LiveAccuracy(floatAccuracy: 0.9, accuracy: 0.5, agreement: 0.6, klDivergence: 0.3)
    _ = reduce(&state, .evaluationReady(plan: Plan(), .success(figures)))
    #expect(state.accuracy == AccuracyStatus(figures: figures, computing: true))
    _ = reduce(&state, .evaluationReady(plan: state.plan, .failure(.cancelled)))
    #expect(state.accuracy?.computing == true)
    _ = reduce(&state, .evaluationReady(plan: state.plan, .success(newer)))
    #expect(state.accuracy == AccuracyStatus(figures: newer, computing: false))
  }

  @Test("the summary bar shows acc float → planned, agreement and KL, with … while computing")
  func summaryBar() throws {
    var (state, _, _) = try TestModel.state(size: Size(width: 160, height: 30))
    _ = reduce(&state, .evaluationOpened(.success(0.989)))
    #expect(summaryLine(state).contains("acc …"))
    _ = reduce(&state, .evaluationReady(plan: state.plan, .success(figures)))
    var line = summaryLine(state)
    #expect(line.contains("acc 98.9% → 98.6%  agree 99.7%  KL 0.0012"), "\(line)")
    #expect(!line.contains("…"))
    _ = reduce(&state, .key(.char("j")))
    _ = reduce(&state, .key(.char("l")))
    line = summaryLine(state)
    #expect(line.contains("KL 0.0012 …"), "\(line)")
  }

  @Test("at 80 columns the ratio and bpw give way so the accuracy fits")
  func narrowSummary() throws {
    var (state, _, _) = try TestModel.state(size: Size(width: 80, height: 24))
    _ = reduce(&state, .evaluationOpened(.success(0.989)))
    _ = reduce(&state, .evaluationReady(plan: state.plan, .success(figures)))
    let line = summaryLine(state, width: 80, height: 24)
    #expect(line.contains("KL 0.0012"), "\(line)")
    #expect(line.contains("changed 0/4"))
    #expect(!line.contains("ratio"))
  }
}

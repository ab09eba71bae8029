import Foundation
import InspectorUI
import ModelFormats
import QuantEngine
import Testing
import TUIKit
import TensorCore
import Workflows

/// The sensitivity column: its kinds, values, ranking key and rendering.
@Suite struct SensitivityColumnTests {
  func render(_ state: AppState, width: Int, height: Int) -> [String] {
    let screen = VirtualScreen(width: width, height: height)
    return screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: .unicode, into: &buffer) }
  }

  /// The MLP with every tensor at `scheme` and every outcome computed by the real service.
  func measuredState(_ scheme: Scheme = .int4) throws -> (AppState, AnalysisService) {
    var (state, model, _) = try TestModel.state()
    let service = AnalysisService(model: model)
    state.changePlan(Plan(defaultScheme: scheme))
    _ = reduce(&state, .resize(state.size))
    for (tensor, planned) in state.planned.enumerated() {
      guard let planned, state.model.rows[tensor].refusals[planned] == nil else { continue }
      _ = reduce(&state, .outcomeReady(tensor, planned, service.outcome(tensor, planned)))
    }
    return (state, service)
  }

  @Test("without data or imatrix the sensitivity is the weight MSE at the tensor's scheme, kept tensors have none")
  func dataFreeMSE() throws {
    var (state, service) = try measuredState()
    #expect(state.sensitivityMeasure == .mse)
    for tensor in state.model.rows.indices {
      guard let scheme = state.planned[tensor] else { #expect(state.sensitivity(tensor) == nil); continue }
      let expected = try service.outcome(tensor, scheme).get().metrics.mse
      #expect(state.sensitivity(tensor) == .ready(expected))
    }
    // A tensor kept as it is has none.
    state.changePlan(Plan(tensors: [state.model.rows[2].name: .int4]))
    #expect(state.sensitivity(0) == nil)
    #expect(state.sensitivity(2)?.value == (try service.outcome(2, .int4).get().metrics.mse))
    // MSE needs no extra work: nothing beyond the scheme outcomes is asked for.
    #expect(!reduce(&state, .key(.char("j"))).contains { if case .computeSensitivityValue = $0 { true } else { false } })
  }

  @Test("r ranks by sensitivity, most sensitive first, ties in file order, selection kept; r again restores file order")
  func ranking() throws {
    var (state, _) = try measuredState()
    let selected = try #require(state.model.rows.firstIndex { $0.name == "fc2.bias" })
    state.select(tensor: selected)
    _ = reduce(&state, .key(.char("r")))
    #expect(state.sort == .sensitivity && state.sortDescending)
    #expect(state.selectedTensor == selected)
    let order = state.visible.compactMap { row -> Int? in if case .tensor(let t) = row { t } else { nil } }
    #expect(order.count == state.model.rows.count)
    let values = order.map { state.sensitivity($0)?.value }
    let known = values.compactMap { $0 }
    #expect(known == known.sorted(by: >))
    // Tensors without a value come last.
    if let firstUnknown = values.firstIndex(where: { $0 == nil }) { #expect(values[firstUnknown...].allSatisfy { $0 == nil }) }
    #expect(state.message?.text.contains("MSE") == true)
    _ = reduce(&state, .key(.char("r")))
    #expect(state.sort == .file)
    #expect(state.selectedTensor == selected)
  }

  @Test("ties keep the file order in both directions")
  func stableTies() throws {
    var (state, _, _) = try TestModel.state()
    // Nothing planned: every tensor ties (no value).
    _ = reduce(&state, .key(.char("r")))
    #expect(state.visible == state.model.rows.indices.map { .tensor($0) })
    _ = reduce(&state, .key(.char("C")))
    #expect(state.visible == state.model.rows.indices.map { .tensor($0) })
  }

  @Test("results arriving re-sort the list but the cursor stays on its tensor")
  func resortKeepsSelection() throws {
    var (state, model, _) = try TestModel.state()
    let service = AnalysisService(model: model)
    state.changePlan(Plan(defaultScheme: .int4))
    _ = reduce(&state, .key(.char("r")))
    state.select(tensor: 3)
    for tensor in [0, 2] {
      let scheme = try #require(state.planned[tensor])
      _ = reduce(&state, .outcomeReady(tensor, scheme, service.outcome(tensor, scheme)))
      #expect(state.selectedTensor == 3)
    }
    let first = try #require(state.visible.first)
    let mse0 = try #require(state.sensitivity(0)?.value), mse2 = try #require(state.sensitivity(2)?.value)
    #expect(first == .tensor(mse0 >= mse2 ? 0 : 2))
  }

  @Test("with an imatrix the column is importance-weighted, computed in the background")
  func weighted() throws {
    let (model, format) = try TestModel.mlp()
    let row = 64
    let skewed = (0..<row).map { Float($0 % 8 == 0 ? 20 : 0.5) }
    let matrix = ImportanceMatrix(entries: ["fc1.weight": skewed, "fc2.weight": [Float](repeating: 1, count: 32)], layout: .gguf)
    var state = AppState(model: ModelSummary(model: model, format: format, importance: matrix, importancePath: "x.imatrix"), size: Size(width: 160, height: 30))
    #expect(state.sensitivityMeasure == .weightedMSE)
    #expect(state.model.rows[0].importance?.columns == row)
    state.changePlan(Plan(defaultScheme: .int4))
    let effects = reduce(&state, .resize(state.size))
    let key = SensitivityKey(0, .int4, .weightedMSE)
    #expect(effects.contains(.computeSensitivityValue(key)))
    #expect(state.sensitivity(0) == .pending)
    let vectors = Sensitivity.importance(from: matrix, model: model).vectors
    let weighted = try InspectorRuntime.sensitivityValue(key, model: model, format: format, importance: vectors["fc1.weight"], session: nil, token: CancellationToken()).get()
    let plain = try AnalysisService(model: model).outcome(0, .int4).get().metrics.mse
    #expect(abs(weighted - plain) > plain * 0.01, "a skewed importance changes the error")
    // A uniform importance weighs every column alike: the weighted error is the plain MSE.
    let uniformKey = SensitivityKey(2, .int4, .weightedMSE)
    let uniform = try InspectorRuntime.sensitivityValue(uniformKey, model: model, format: format, importance: vectors["fc2.weight"], session: nil, token: CancellationToken()).get()
    let plain2 = try AnalysisService(model: model).outcome(2, .int4).get().metrics.mse
    #expect(abs(uniform - plain2) <= plain2 * 1e-4)
    _ = reduce(&state, .sensitivityValueReady(key, .success(weighted)))
    #expect(state.sensitivity(0) == .ready(weighted))
    let lines = render(state, width: 160, height: 30)
    #expect(lines[2].contains("sens wMSE") && lines[2].contains("imp"))
  }

  @Test("with evaluation data the column is the measured KL with only that tensor quantized")
  func measuredKL() throws {
    let (state0, session) = try LayerSQNRColumnTests.open()
    var state = state0
    #expect(state.sensitivityMeasure == .kl)
    let fc1 = try #require(session.model.tensors.firstIndex { $0.name == "digits_cnn_1/fc1_1/MatMul" })
    state.changePlan(state.plan(setting: fc1, to: .int4))
    let effects = reduce(&state, .resize(state.size))
    let key = SensitivityKey(fc1, .int4, .kl)
    #expect(effects.contains(.computeSensitivityValue(key)))
    let value = try InspectorRuntime.sensitivityValue(key, model: session.model, format: session.format, importance: nil, session: session, token: CancellationToken()).get()
    // The same figure by a full evaluation of a plan that quantizes only fc1.
    let alone = try session.evaluate(plan: Plan(tensors: [session.model.tensors[fc1].name: .int4]))
    #expect(abs(value - alone.quantized.klDivergence) <= 1e-9 + alone.quantized.klDivergence * 1e-6)
    #expect(value > 0)
    _ = reduce(&state, .sensitivityValueReady(key, .success(value)))
    let lines = render(state, width: 200, height: 44)
    #expect(lines[2].contains("sens KL"))
    #expect(try LayerSQNRColumnTests.cell(lines, state: state, tensor: fc1, header: "sens KL") == LayerListView.sensitivityText(value))
  }

  @Test("the detail pane names the kind; the help lists r and the kinds")
  func detailAndHelp() throws {
    var (state, _) = try measuredState()
    state.select(tensor: 0)
    _ = reduce(&state, .resize(state.size))
    let lines = render(state, width: 160, height: 40)
    #expect(lines.contains { $0.contains("sens MSE") && $0.contains(LayerListView.sensitivityText(state.sensitivity(0)?.value ?? -1)) })
    _ = reduce(&state, .key(.char("?")))
    let help = render(state, width: 160, height: 90).joined(separator: "\n")
    #expect(help.contains("rank by sensitivity"))
    #expect(help.contains("wMSE") && help.contains("KL"))
    #expect(help.contains("Save dialog (w)") && help.contains("output format and what to write"))
  }

  @Test("sensitivity text fits its column", arguments: [0.0, 3.4e-5, 0.01234, 12.5, 123456.0])
  func text(_ value: Double) {
    let text = LayerListView.sensitivityText(value)
    #expect(text.count <= 8)
    #expect(abs((Double(text) ?? .nan) - value) <= abs(value) * 0.05)
  }
}

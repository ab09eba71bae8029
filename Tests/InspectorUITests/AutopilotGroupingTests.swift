import Foundation
import InspectorUI
import QuantEngine
import Testing
import TUIKit
import Workflows

/// The TUI autopilot groups what the output format's loader fuses, as `qscope auto --group auto` does.
@Suite struct AutopilotGroupingTests {
  func attentionState() throws -> (AppState, SensitivityTable) {
    let path = try TestModel.write([
      ("layers.0.self_attn.q_proj.weight", [32, 32], TestModel.values(1024, seed: 0.1)),
      ("layers.0.self_attn.k_proj.weight", [32, 32], TestModel.values(1024, seed: 0.7)),
      ("layers.0.self_attn.v_proj.weight", [32, 32], TestModel.values(1024, seed: 1.3)),
      ("layers.0.mlp.down_proj.weight", [32, 32], TestModel.values(1024, seed: 2.1)),
    ])
    let (model, format) = try ModelOpener.open(path: path)
    let table = try Sensitivity.dataFree(model, format: format, options: Sensitivity.Options(threads: 1))
    return (AppState(model: ModelSummary(model: model, format: format), size: Size(width: 120, height: 40)), table)
  }

  @Test func safetensorsPlansKeepQKVTogether() throws {
    var (state, table) = try attentionState()
    _ = reduce(&state, .key(.char("f")))
    _ = reduce(&state, .sensitivityReady(.success(table)))
    #expect(state.autopilot.groups.count == 1)
    #expect(Set(state.autopilot.groups.first ?? []) == [
      "layers.0.self_attn.q_proj.weight", "layers.0.self_attn.k_proj.weight", "layers.0.self_attn.v_proj.weight",
    ])
    let planner = try #require(state.autopilot.planner)
    // Every frontier point gives q, k and v one scheme.
    for k in 0..<planner.pointCount {
      let plan = planner.plan(atPoint: k)
      let qkv = ["q", "k", "v"].map { plan.tensors["layers.0.self_attn.\($0)_proj.weight"]?.rawValue ?? "keep" }
      #expect(Set(qkv).count == 1, "point \(k): \(qkv)")
    }
  }

  @Test func tfliteLSTMWeightsShareOneScheme() throws {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("ModelFormatsTests/Fixtures/tflite/lstm_stack.tflite").path
    let (model, format) = try ModelOpener.open(path: path)
    let table = try Sensitivity.dataFree(model, format: format, options: Sensitivity.Options(schemes: [.int8Tensor], threads: 1))
    var state = AppState(model: ModelSummary(model: model, format: format), size: Size(width: 120, height: 40))
    _ = reduce(&state, .key(.char("f")))
    _ = reduce(&state, .sensitivityReady(.success(table)))
    #expect(state.autopilot.groups.map(\.count) == [8, 8])
    let planner = try #require(state.autopilot.planner)
    for k in 0..<planner.pointCount {
      let plan = planner.plan(atPoint: k)
      for group in state.autopilot.groups {
        #expect(Set(group.map { plan.tensors[$0]?.rawValue ?? "keep" }).count == 1, "point \(k)")
      }
    }
  }

  @Test func mlpWithoutFusedNamesHasNoGroups() throws {
    var (state, _, format) = try TestModel.state()
    let table = try Sensitivity.dataFree(try TestModel.mlp().model, format: format, options: Sensitivity.Options(threads: 1))
    _ = reduce(&state, .sensitivityReady(.success(table)))
    #expect(state.autopilot.groups.isEmpty)
  }
}

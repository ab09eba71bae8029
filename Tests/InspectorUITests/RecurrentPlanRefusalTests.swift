import Foundation
import InspectorUI
import ModelFormats
import QuantEngine
import TUIKit
import Testing
import Workflows

/// The inspector shows the LSTM weight group rule as the writer applies it: a plan that picks
/// int8-tensor for some of an LSTM's weights marks those as refused and counts them unchanged.
@Suite struct RecurrentPlanRefusalTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("ModelFormatsTests/Fixtures/tflite/lstm_small.tflite").path
  static let weights = (4...11).map { "arith.constant\($0)" }

  func state(_ names: ArraySlice<String>) throws -> AppState {
    let model = try TFLiteFormat.open(path: Self.fixture)
    let plan = Plan(tensors: Dictionary(uniqueKeysWithValues: names.map { ($0, Scheme.int8Tensor) }))
    return AppState(model: ModelSummary(model: model, format: TFLiteFormat.self), plan: plan, size: Size(width: 160, height: 40))
  }

  @Test("half of the LSTM weights planned: refused with the group reason, sizes unchanged")
  func partial() throws {
    let state = try state(Self.weights[4...])
    let planned = state.model.rows.indices.filter { state.planned[$0] != nil }
    #expect(planned.count == 4)
    for t in planned {
      #expect(state.plannedRefusal(t)?.contains("quantized together") == true)
      #expect(state.plannedBytes(t) == state.model.rows[t].bytes)
    }
    let summary = PlanSummary(state: state)
    #expect(summary.changed == 0 && summary.refused == 4)
    #expect(summary.plannedBytes == state.model.fileBytes)
  }

  @Test("all LSTM weights planned: no refusal, smaller")
  func whole() throws {
    let state = try state(Self.weights[...])
    let planned = state.model.rows.indices.filter { state.planned[$0] != nil }
    #expect(planned.count == 8)
    #expect(planned.allSatisfy { state.plannedRefusal($0) == nil && state.plannedBytes($0) < state.model.rows[$0].bytes })
    #expect(PlanSummary(state: state).changed == 8)
  }
}

import Foundation
import InspectorUI
import ModelFormats
import QuantEngine
import Testing
import TensorCore
import TUIKit
import Workflows

/// A Keras LSTM model shown with tflite as the output format: each Keras kernel row stands for
/// the four gate matrices it becomes, so its schemes, sizes and the LSTM group rule are the
/// converted model's.
@Suite struct KerasLSTMConversionTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("ModelFormatsTests/Fixtures/keras/lstm_stack.keras").path

  /// The Keras model's state with tflite chosen and its facts ready, and the converted summary.
  static func tfliteState() throws -> (AppState, ModelSummary, Model) {
    let (model, format) = try ModelOpener.open(path: fixture)
    var state = AppState(model: ModelSummary(model: model, format: format), size: Size(width: 120, height: 30))
    let converted = try ModelConversion.convert(model, to: .tflite)
    let tflite = ModelSummary(model: converted.model, format: converted.format)
    #expect(state.setOutputFormat(.tflite).contains(.prepareConversion(.tflite)))
    _ = reduce(&state, .conversionPrepared(.tflite, .success(state.model.facts(matching: tflite))))
    return (state, tflite, model)
  }

  func row(_ state: AppState, _ name: String) throws -> Int {
    try #require(state.model.rows.firstIndex { $0.name == name })
  }

  @Test("kernel rows take the gate matrices' schemes and their summed sizes; none is 'not in the tflite model'")
  func rowsLineUp() throws {
    let (state, tflite, _) = try Self.tfliteState()
    for name in ["lstm_0/cell/kernel", "lstm_0/cell/recurrent_kernel", "lstm_1/cell/kernel", "lstm_0/cell/bias"] {
      let r = try row(state, name)
      let gates = tflite.rows.filter { $0.name == name }
      #expect(gates.count == 4, "\(name)")
      let keras = state.model.rows[r]
      #expect(!keras.refusals.values.contains { $0.contains("not in the tflite model") }, "\(name)")
      #expect(keras.refusals.keys.sorted { $0.rawValue < $1.rawValue } == gates[0].refusals.keys.sorted { $0.rawValue < $1.rawValue })
      for (scheme, bytes) in keras.storedBytes {
        #expect(bytes == gates.compactMap { $0.storedBytes[scheme] }.reduce(0, +), "\(name) \(scheme)")
      }
    }
    let kernel = state.model.rows[try row(state, "lstm_0/cell/kernel")]
    #expect(kernel.refusals[.int8Tensor] == nil)
    let int8 = try #require(kernel.storedBytes[.int8Tensor])
    #expect(int8 < kernel.bytes && int8 >= kernel.elements)
  }

  @Test("the LSTM group rule on Keras rows: each layer's kernel and recurrent kernel, all or none")
  func groupRule() throws {
    var (state, _, _) = try Self.tfliteState()
    let names = state.model.jointGroups.map { group in group.members.map { state.model.rows[$0].name } }
    #expect(names == [["lstm_0/cell/kernel", "lstm_0/cell/recurrent_kernel"], ["lstm_1/cell/kernel", "lstm_1/cell/recurrent_kernel"]])
    #expect(state.model.jointGroups.allSatisfy { $0.unplannable == 0 })
    let kernel = try row(state, "lstm_0/cell/kernel"), recurrent = try row(state, "lstm_0/cell/recurrent_kernel")
    state.changePlan(state.plan(setting: kernel, to: .int8Tensor))
    #expect(state.plannedRefusal(kernel)?.contains("2 weights are quantized together and the plan re-encodes 1") == true)
    #expect(state.plannedBytes(kernel) == state.model.rows[kernel].bytes)
    state.changePlan(state.plan(setting: recurrent, to: .int8Tensor))
    #expect(state.plannedRefusal(kernel) == nil && state.plannedRefusal(recurrent) == nil)
    #expect(state.plannedBytes(kernel) < state.model.rows[kernel].bytes)
    // The converted model's job agrees: the plan on Keras names quantizes lstm_0's eight gate matrices.
    let (model, _) = try ModelOpener.open(path: Self.fixture)
    let converted = try ModelConversion.convert(model, to: .tflite)
    let job = QuantizeJob(model: converted.model, format: converted.format, plan: state.plan)
    #expect(job.changed.count == 8 && job.problems.isEmpty)
    #expect(Set(job.changed.map(\.tensorName)) == ["lstm_0/cell/kernel", "lstm_0/cell/recurrent_kernel"])
  }

  @Test("the runtime's tflite sensitivity table has one entry per Keras kernel, sized as its four gates")
  func sensitivityEntries() throws {
    let (model, format) = try ModelOpener.open(path: Self.fixture)
    let runtime = InspectorRuntime(model: model, format: format, theme: .builtinDefault)
    runtime.perform([.useOutputFormat(.tflite), .computeSensitivity])
    let ready = try #require(try runtime.waitForSensitivity())
    let kernel = try #require(model.tensorIndex(named: "lstm_0/cell/kernel"))
    let entries = ready.tensors.filter { $0.tensorIndex == kernel }
    #expect(entries.count == 1)
    let entry = try #require(entries.first)
    #expect(entry.name == "lstm_0/cell/kernel")
    #expect(entry.elements == model.tensors[kernel].elementCount)
    #expect(entry.originalBytes == model.tensors[kernel].byteCount)
    // Keeping it keeps all four gates (one gate alone is a quarter); the LSTM's kernel reads only
    // float32 or per-tensor int8, so int8-tensor is its one candidate besides keep, priced for
    // all four gates (each gate matrix with its own scale), and every other default is left out.
    #expect(entry.cost(of: nil)?.bytes == model.tensors[kernel].byteCount)
    #expect(entry.candidates.map(\.scheme) == [nil, .int8Tensor])
    let gateBytes = try Quantizer.storedBytes(scheme: .int8Tensor, shape: [32, 40], channelAxis: 0)
    #expect(entry.cost(of: .int8Tensor)?.bytes == 4 * gateBytes)
    #expect(entry.excluded.map(\.scheme) == AutoCandidates.defaultSchemes(for: .tflite).filter { $0 != .int8Tensor })
    #expect(ready.tensors.count == Set(ready.tensors.map(\.tensorIndex)).count)
  }
}

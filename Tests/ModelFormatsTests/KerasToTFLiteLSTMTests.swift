import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Keras `LSTM` → one fused UNIDIRECTIONAL_SEQUENCE_LSTM, against the TF converter's files for the
/// same models (scripts/make-lstm-fixtures.py: Keras 3 .keras, converted through tf_keras).
@Suite struct KerasToTFLiteLSTMTests {
  typealias S = TFLiteTestSupport

  /// bilstm_ave: the converter folds the merge's ½ into the Dense's weights, and so do we.
  static let models = ["lstm_small", "lstm_stack", "lstm_mixed", "bilstm_last", "bilstm_seq", "bilstm_sum", "bilstm_mul", "bilstm_ave"]

  func converted(_ name: String) throws -> TFLiteFile {
    let model = try KerasTestSupport.open("\(name).keras")
    let bytes = try KerasToTFLite.convert(model)
    return try TFLiteFile.parse(file: MappedFile(bytes: bytes, name: "\(name).tflite"), path: "\(name).tflite")
  }

  @Test("float: the converter's op sequence, versions and byte-identical weights (gates split and transposed)",
        arguments: models)
  func floatMatchesConverter(name: String) throws {
    let ours = try converted(name)
    let reference = try TFLiteFile.parse(path: try S.fixture("\(name).tflite"))
    let mine = S.view(ours), theirs = S.view(reference)
    #expect(mine.map(\.name) == theirs.map(\.name))
    #expect(mine.count == theirs.count)
    for (a, b) in zip(mine, theirs) { #expect(a == b) }
    #expect(ours.minRuntimeVersion == reference.minRuntimeVersion)
    let states = ours.subgraphs[0].tensors.filter(\.isVariable)
    #expect(states.count == reference.subgraphs[0].tensors.filter(\.isVariable).count)
    #expect(states.allSatisfy { ours.buffers[$0.buffer].count == 0 })
  }

  @Test("legacy .h5 (weights under lstm_0/lstm_cell/): the same ops and weights as the converter's file")
  func legacyH5() throws {
    let model = try KerasTestSupport.open("lstm_small.h5")
    let bytes = try KerasToTFLite.convert(model)
    let ours = try TFLiteFile.parse(file: MappedFile(bytes: bytes, name: "h5.tflite"), path: "h5.tflite")
    let reference = try TFLiteFile.parse(path: try S.fixture("lstm_small.tflite"))
    #expect(S.view(ours) == S.view(reference))
  }

  @Test("tflite-default on the converted model: the converter's Optimize.DEFAULT weights", arguments: models)
  func defaultMatchesConverter(name: String) throws {
    let model = try KerasToTFLite.convertedModel(try KerasTestSupport.open("\(name).keras"), name: "\(name).tflite")
    let (path, notes) = try S.write(model, TFLitePresets.dynamicRange(model))
    #expect(notes.isEmpty, "\(notes)")
    let mine = S.view(try TFLiteFile.parse(path: path))
    let theirs = S.view(try TFLiteFile.parse(path: try S.fixture("\(name).default.tflite")))
    #expect(mine.count == theirs.count)
    for (a, b) in zip(mine, theirs) { #expect(a == b) }
  }

  @Test("a kernel whose shape does not fit the input gives one error naming the layer")
  func badKernelShape() throws {
    var model = try KerasTestSupport.open("lstm_small.keras")
    let index = try #require(model.tensors.firstIndex { $0.name.hasSuffix("lstm_0/cell/kernel") })
    model.tensors[index].shape = [5, 64]
    do {
      _ = try KerasToTFLite.convert(model)
      Issue.record("converted a model with a mismatched LSTM kernel")
    } catch {
      let message = error.description
      #expect(message.contains("'lstm_0' (LSTM)") && message.contains("kernel"), "\(message)")
      #expect(!message.contains("\n"))
    }
  }

  @Test("a recurrent kernel of the wrong size gives one error naming the layer")
  func badRecurrentShape() throws {
    var model = try KerasTestSupport.open("lstm_small.keras")
    let index = try #require(model.tensors.firstIndex { $0.name.hasSuffix("lstm_0/cell/recurrent_kernel") })
    model.tensors[index].shape = [16, 60]
    #expect(throws: FormatError.self) { try KerasToTFLite.convert(model) }
  }

  @Test("LSTM options the fused op cannot compute are refused with a reason")
  func refusedOptions() {
    func config(_ pairs: [(String, KerasJSON)]) -> LayerConfig {
      LayerConfig(json: .object(pairs.map { .init(key: $0.0, value: $0.1, offset: 0) }))
    }
    #expect(KerasTFLiteConverter.lstmUnsupportedReason(config([("activation", .string("tanh"))])) == nil)
    #expect(KerasTFLiteConverter.lstmUnsupportedReason(config([("activation", .string("relu"))]))?.contains("relu") == true)
    #expect(KerasTFLiteConverter.lstmUnsupportedReason(config([("recurrent_activation", .string("hard_sigmoid"))])) != nil)
    #expect(KerasTFLiteConverter.lstmUnsupportedReason(config([("go_backwards", .bool(true))]))?.contains("go_backwards") == true)
    #expect(KerasTFLiteConverter.lstmUnsupportedReason(config([("return_state", .bool(true))])) != nil)
    #expect(KerasTFLiteConverter.lstmUnsupportedReason(config([("stateful", .bool(true))])) != nil)
  }

  @Test("gate layout: Keras [rows, 4·units] columns become four transposed [units, rows] matrices")
  func gateLayout() {
    // rows 2, units 1: columns are gates i, f, c, o.
    let gates = KerasTFLiteConverter.lstmLayoutGates([1, 2, 3, 4, 5, 6, 7, 8], rows: 2, units: 1)
    #expect(gates == [[1, 5], [2, 6], [3, 7], [4, 8]])
  }
}

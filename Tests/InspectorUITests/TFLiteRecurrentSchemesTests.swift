import Foundation
import InspectorUI
import ModelFormats
import QuantEngine
import Testing

/// The TUI offers exactly what the TFLite writer can store: for weights of recurrent ops (which it
/// keeps as stored) only f32; for an ordinary FULLY_CONNECTED weight, several schemes.
@Suite struct TFLiteRecurrentSchemesTests {
  static func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("ModelFormatsTests/Fixtures/tflite/\(name)").path
  }

  @Test("RNN, SVDF and LSTM weights list only f32",
        arguments: [("rnn.tflite", "rnn/recurrent_weights"), ("svdf.tflite", "svdf/weights_feature"),
                    ("lstm.tflite", "lstm/input_to_cell_weights")])
  func recurrentOnlyF32(fixture: String, tensor: String) throws {
    let model = try TFLiteFormat.open(path: Self.fixture(fixture))
    let summary = ModelSummary(model: model, format: TFLiteFormat.self)
    let row = try #require(summary.rows.first { $0.name == tensor })
    #expect(row.storableSchemes == [.f32])
    #expect(row.refusals[.int8]?.contains("does not re-encode") == true)
  }

  @Test("a FULLY_CONNECTED weight lists the TFLite schemes")
  func denseOffersMore() throws {
    let model = try TFLiteFormat.open(path: Self.fixture("shared_buffer.tflite"))
    let row = try #require(ModelSummary(model: model, format: TFLiteFormat.self).rows.first { $0.name == "dense_a/kernel" })
    #expect(row.storableSchemes == [.f32, .f16, .int8, .int8Tensor, .int8Asym, .int4])
  }
}

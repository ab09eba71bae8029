import Foundation
import InspectorUI
import ModelFormats
import QuantEngine
import Testing

/// The TUI offers exactly what the TFLite writer can store: for weights of recurrent ops f32 and
/// per-tensor symmetric int8 (what their hybrid kernels read); for an ordinary FULLY_CONNECTED
/// weight, several schemes.
@Suite struct TFLiteRecurrentSchemesTests {
  static func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("ModelFormatsTests/Fixtures/tflite/\(name)").path
  }

  @Test("RNN, SVDF and LSTM weights list f32 and int8-tensor only",
        arguments: [("rnn.tflite", "rnn/recurrent_weights"), ("svdf.tflite", "svdf/weights_feature"),
                    ("lstm.tflite", "lstm/input_to_cell_weights")])
  func recurrentOnlyF32(fixture: String, tensor: String) throws {
    let model = try TFLiteFormat.open(path: Self.fixture(fixture))
    let summary = ModelSummary(model: model, format: TFLiteFormat.self)
    let row = try #require(summary.rows.first { $0.name == tensor })
    #expect(row.storableSchemes == [.f32, .int8Tensor])
    #expect(row.refusals[.int8]?.contains("per-tensor symmetric int8") == true)
  }

  @Test("a FULLY_CONNECTED weight lists the TFLite schemes")
  func denseOffersMore() throws {
    let model = try TFLiteFormat.open(path: Self.fixture("shared_buffer.tflite"))
    let row = try #require(ModelSummary(model: model, format: TFLiteFormat.self).rows.first { $0.name == "dense_a/kernel" })
    #expect(row.storableSchemes == [.f32, .f16, .int8, .int8Tensor, .int8Asym, .int4])
  }
}

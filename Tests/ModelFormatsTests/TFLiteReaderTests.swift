import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct TFLiteReaderTests {
  @Test("a float model lists its constants under the ops that read them")
  func floatModel() throws {
    let model = try TFLiteFormat.open(path: try TFLiteTestSupport.fixture("conv.tflite"))
    #expect(model.format == .tflite)
    #expect(model.layers.map(\.kind) == ["CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D", "MEAN", "FULLY_CONNECTED",
                                          "FULLY_CONNECTED", "SOFTMAX"])
    #expect(model.layers[0].name == "CONV_2D #0")
    #expect(model.layers[0].details.contains("padding SAME"))
    #expect(model.layers[0].details.contains("activation relu"))
    let dw = try #require(model.tensors.first { $0.op == "DEPTHWISE_CONV_2D" && $0.role == .weight })
    #expect(dw.shape == [1, 3, 3, 32])
    #expect(dw.channelAxis == 3)
    #expect(dw.layer == "DEPTHWISE_CONV_2D #1")
    #expect(dw.isQuantizable)
    let bias = try #require(model.tensors.first { $0.op == "FULLY_CONNECTED" && $0.role == .bias })
    #expect(!bias.isQuantizable)
    let axes = try #require(model.tensors.first { $0.op == "MEAN" })
    #expect(axes.dtype == .i32 && !axes.isQuantizable)
    #expect(model.metadata.contains(MetadataEntry(key: "min_runtime_version", value: "1.6.0")))
    #expect(model.metadata.contains { $0.key.hasPrefix("signature serving_default") })
  }

  @Test("int8 dynamic-range weights carry their per-channel parameters")
  func dynamicRange() throws {
    let model = try TFLiteFormat.open(path: try TFLiteTestSupport.fixture("conv.default.tflite"))
    let fc = try #require(model.tensors.first { $0.op == "FULLY_CONNECTED" && $0.dtype == .i8 })
    let q = try #require(fc.storedQuantization)
    #expect(q.axis == 0 && q.scales.count == 64 && q.zeroPoints.allSatisfy { $0 == 0 })
    let layer = try #require(model.layers.first { $0.name == fc.layer })
    #expect(layer.details.contains("version 12"))
    #expect(layer.details.contains("asymmetric_quantize_inputs"))
  }

  @Test("weights behind DEQUANTIZE and DENSIFY appear under the real consumer")
  func throughDequantize() throws {
    let f16 = try TFLiteFormat.open(path: try TFLiteTestSupport.fixture("conv.float16.tflite"))
    let weights = f16.tensors.filter { $0.dtype == .f16 }
    #expect(weights.count == 10)
    #expect(weights.allSatisfy { $0.op != "DEQUANTIZE" && $0.layer != nil })
    #expect(weights.contains { $0.op == "DEPTHWISE_CONV_2D" && $0.role == .weight && $0.channelAxis == 3 })
    let sparse = try TFLiteFormat.open(path: try TFLiteTestSupport.fixture("sparse.tflite"))
    let values = try #require(sparse.tensors.first { $0.op == "FULLY_CONNECTED" })
    #expect(values.note?.contains("sparse") == true)
    #expect(!values.isQuantizable)
  }

  @Test("gather, batch matmul and transpose conv operands")
  func otherOps() throws {
    let model = try TFLiteFormat.open(path: try TFLiteTestSupport.fixture("gather_matmul.tflite"))
    let table = try #require(model.tensors.first { $0.op == "GATHER" && $0.shape == [64, 32] })
    #expect(table.role == .embedding && table.isQuantizable)
    let rhs = try #require(model.tensors.first { $0.op == "BATCH_MATMUL" })
    #expect(rhs.isQuantizable && rhs.channelAxis == 2)
    let filter = try #require(model.tensors.first { $0.op == "TRANSPOSE_CONV" && $0.dtype == .f32 })
    #expect(filter.shape == [16, 3, 3, 48] && filter.channelAxis == 0)
  }

  @Test("the registry detects .tflite by its identifier")
  func registry() throws {
    let path = try TFLiteTestSupport.fixture("shared.tflite")
    #expect(try FormatRegistry.detect(path: path) == TFLiteFormat.self)
  }

  @Test("every truncation of a model is a clear error, never a crash")
  func truncations() throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: try TFLiteTestSupport.fixture("shared.tflite")))
    let path = TFLiteTestSupport.temporaryPath("cut.tflite")
    var failures = 0
    for length in stride(from: 0, to: bytes.count, by: 7) {
      try bytes.prefix(length).write(to: URL(fileURLWithPath: path))
      #expect(throws: FormatError.self) { _ = try TFLiteFormat.open(path: path) }
      failures += 1
    }
    #expect(failures > 100)
  }

  @Test("corrupted bytes anywhere give an error or a valid model, never a crash")
  func corruption() throws {
    let original = try Data(contentsOf: URL(fileURLWithPath: try TFLiteTestSupport.fixture("shared.tflite")))
    let path = TFLiteTestSupport.temporaryPath("bad.tflite")
    var rejected = 0
    for position in stride(from: 0, to: original.count, by: 13) {
      var bytes = original
      bytes[position] ^= 0xA5
      try bytes.write(to: URL(fileURLWithPath: path))
      do { _ = try TFLiteFormat.open(path: path) } catch { rejected += 1 }
    }
    #expect(rejected > 0)
  }

  @Test("a wrong file identifier is rejected with a message naming it")
  func wrongIdentifier() throws {
    var bytes = try Data(contentsOf: URL(fileURLWithPath: try TFLiteTestSupport.fixture("shared.tflite")))
    bytes[4] = UInt8(ascii: "X")
    let path = TFLiteTestSupport.temporaryPath("id.tflite")
    try bytes.write(to: URL(fileURLWithPath: path))
    do {
      _ = try TFLiteFormat.open(path: path)
      Issue.record("expected an error")
    } catch {
      #expect(error.description.contains("'XFL3', expected 'TFL3'"))
      #expect(error.description.contains(path))
    }
  }
}

import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Hand-built fixtures from scripts/make-tflite-op-fixtures.py: EMBEDDING_LOOKUP, two tensors on
/// one buffer, and the recurrent ops (RNN, SVDF, UNIDIRECTIONAL_SEQUENCE_LSTM; see also
/// TFLiteRecurrentTests).
@Suite struct TFLiteOpFixtureTests {
  typealias S = TFLiteTestSupport

  func write(_ fixture: String, _ tensor: String, _ encoding: QuantEncoding) throws -> (Model, TFLiteFile, [String]) {
    let model = try TFLiteFormat.open(path: try S.fixture(fixture))
    let index = try #require(model.tensors.firstIndex { $0.name == tensor })
    let (path, notes) = try S.write(model, [TensorWriteRequest(tensorIndex: index, encoding: encoding)])
    return (model, try TFLiteFile.parse(path: path), notes)
  }

  func lookup(_ file: TFLiteFile) throws -> S.OpView {
    try #require(S.view(file).first { $0.name == "EMBEDDING_LOOKUP" })
  }

  @Test("tflite-default quantizes the EMBEDDING_LOOKUP table per-tensor int8, read directly as the converter folds it")
  func embeddingDefault() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("embedding_lookup.tflite"))
    let requests = TFLitePresets.dynamicRange(model)
    #expect(requests.count == 1)
    let (path, notes) = try S.write(model, requests)
    #expect(notes.isEmpty)
    let file = try TFLiteFile.parse(path: path)
    let op = try lookup(file)
    #expect(op.inputs[1].hasPrefix("9[64, 32]") && op.inputs[1].contains("@-1z[0]"), "\(op.inputs[1])")
    #expect(op.version == 1)
    #expect(file.subgraphs[0].operators.count == 1)
  }

  @Test("EMBEDDING_LOOKUP: int8 per-row and int4 run hybrid (v4); int8-asym goes through DEQUANTIZE",
        arguments: [("int8", "9[", 4, false), ("int4", "17[", 4, false), ("int8-tensor", "9[", 1, false), ("int8-asym", "dq(v2)>9[", 1, true)])
  func embeddingSchemes(scheme: String, prefix: String, version: Int32, viaDequantize: Bool) throws {
    let encoding: QuantEncoding
    switch scheme {
    case "int8": encoding = S.scheme(8, .channel(axis: 0))
    case "int4": encoding = S.scheme(4, .channel(axis: 0))
    case "int8-asym": encoding = S.scheme(8, .tensor, asym: true)
    default: encoding = S.scheme(8, .tensor)
    }
    let (_, file, notes) = try write("embedding_lookup.tflite", "embedding/table", encoding)
    #expect(notes.isEmpty)
    let op = try lookup(file)
    #expect(op.inputs[1].hasPrefix(prefix), "\(op.inputs[1])")
    #expect(op.version == version)
    #expect(file.subgraphs[0].operators.count == (viaDequantize ? 2 : 1))
  }

  @Test("two tensors on one buffer: re-quantizing one leaves the other's bytes and buffer alone")
  func sharedBuffer() throws {
    let (model, file, notes) = try write("shared_buffer.tflite", "dense_a/kernel", S.scheme(8, .channel(axis: 0)))
    #expect(notes.isEmpty)
    let source = try TFLiteFile.parse(path: model.path)
    let a = try #require(source.subgraphs[0].tensors.firstIndex { $0.name == "dense_a/kernel" })
    let b = try #require(source.subgraphs[0].tensors.firstIndex { $0.name == "dense_b/kernel" })
    #expect(source.subgraphs[0].tensors[a].buffer == source.subgraphs[0].tensors[b].buffer)
    let after = file.subgraphs[0].tensors
    #expect(after[a].type == .int8 && after[b].type == .float32)
    #expect(after[a].buffer != after[b].buffer)
    #expect(after[b].buffer == source.subgraphs[0].tensors[b].buffer)
    let before = try #require(model.tensors.first { $0.name == "dense_b/kernel" })
    let range = file.buffers[after[b].buffer]
    #expect(Array(try file.file.slice(offset: range.offset, count: range.count)) == Array(before.location.bytes))
  }

  static let recurrent = [
    ("rnn.tflite", "rnn/weights", "RNN"), ("rnn.tflite", "rnn/recurrent_weights", "RNN"),
    ("svdf.tflite", "svdf/weights_feature", "SVDF"), ("svdf.tflite", "svdf/weights_time", "SVDF"),
    ("lstm.tflite", "lstm/input_to_forget_weights", "UNIDIRECTIONAL_SEQUENCE_LSTM"),
    ("lstm.tflite", "lstm/recurrent_to_cell_weights", "UNIDIRECTIONAL_SEQUENCE_LSTM"),
  ]

  @Test("recurrent-op weights: f32 and per-tensor int8 are storable; alone, int8 keeps them unchanged with a warning naming them",
        arguments: recurrent)
  func recurrentWeights(fixture: String, tensor: String, op: String) throws {
    let model = try TFLiteFormat.open(path: try S.fixture(fixture))
    let weight = try #require(model.tensors.first { $0.name == tensor })
    #expect(weight.op == op)
    #expect(TFLiteFormat.canStore(.float32, tensor: weight, in: model) == .storable)
    #expect(TFLiteFormat.canStore(S.scheme(8, .tensor), tensor: weight, in: model) == .storable)
    for encoding in [QuantEncoding.float16, S.scheme(8, .channel(axis: 0)), S.scheme(4, .channel(axis: 0))] {
      guard case let .notStorable(reason) = TFLiteFormat.canStore(encoding, tensor: weight, in: model) else {
        Issue.record("\(tensor) \(encoding) is storable")
        continue
      }
      #expect(reason.contains(op))
    }
    for encoding in [QuantEncoding.float32, S.scheme(8, .tensor)] {
      let (_, file, notes) = try write(fixture, tensor, encoding)
      #expect(notes.count == (encoding == .float32 ? 0 : 1))
      #expect(notes.allSatisfy { $0.hasPrefix("warning:") && $0.contains("'\(tensor)'") && $0.contains(op) })
      let t = try #require(file.subgraphs[0].tensors.first { $0.name == tensor })
      let range = file.buffers[t.buffer]
      #expect(t.type == .float32)
      #expect(Array(try file.file.slice(offset: range.offset, count: range.count)) == Array(weight.location.bytes))
    }
  }
}

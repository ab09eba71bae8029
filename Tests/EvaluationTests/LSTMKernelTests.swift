import Evaluation
import Foundation
import ModelFormats
import QuantEngine
import TensorCore
import Testing
@testable import Workflows

/// The interpreter's UNIDIRECTIONAL_SEQUENCE_LSTM against LiteRT: the converter's LSTM files
/// (scripts/make-lstm-fixtures.py) and LiteRT's outputs for them
/// (scripts/make-lstm-eval-reference.py → lstm_reference.npz), float and hybrid.
@Suite struct LSTMKernelTests {
  static func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("ModelFormatsTests/Fixtures/tflite/\(name)").path
  }

  /// Constant values as the file stores them, int8 dequantized with its scales.
  static func constant(_ model: Model, _ index: Int) -> [Float] {
    let tensor = model.tensors[index]
    var values = FloatDecoding.decode(tensor.dtype, from: tensor.location.bytes, count: tensor.elementCount)
    if let q = tensor.storedQuantization, q.axis == nil, let scale = q.scales.first {
      let zero = Float(q.zeroPoints.first ?? 0)
      for i in values.indices { values[i] = (values[i] - zero) * scale }
    }
    return values
  }

  /// Runs `file` on the reference inputs (one batch) with the hybrid LSTMs of the file in hybrid mode.
  static func run(_ file: String, _ x: NumPyArray) throws -> [Float] {
    try run(model: try TFLiteFormat.open(path: fixture(file)), x)
  }

  static func run(model: Model, _ x: NumPyArray) throws -> [Float] {
    let graph = try #require(model.graph)
    let interpreter = Interpreter(graph: graph)
    #expect(interpreter.unsupportedOps.isEmpty)
    var hybrid: [Int: Interpreter.HybridMode] = [:]
    for (i, op) in graph.ops.enumerated() where op.type == "UNIDIRECTIONAL_SEQUENCE_LSTM" && op.inputs.count > 2 {
      if graph.tensors[op.inputs[2]].dtype == .i8 {
        hybrid[i] = .init(asymmetric: op.bool("asymmetric_quantize_inputs"))
      }
    }
    var values = try interpreter.initialValues(inputs: [EvalTensor(shape: x.shape, data: x.floats)]) { index in
      constant(model, index)
    }
    try interpreter.run(ops: Array(graph.ops.indices), values: &values, hybrid: hybrid)
    let output = try #require(graph.outputs.first?.tensor)
    return try #require(values[output]).data
  }

  @Test("float and hybrid LSTM files (also Bidirectional: REVERSE_V2, CONCATENATION/ADD): outputs within float rounding of LiteRT's",
        arguments: ["lstm_small", "lstm_stack", "lstm_mixed", "bilstm_last", "bilstm_seq", "bilstm_sum", "bilstm_mul", "bilstm_ave"])
  func matchesLiteRT(name: String) throws {
    let archive = try NumPyArchive.load(path: Self.fixture("lstm_reference.npz"))
    let x = try #require(archive.arrays["\(name).x"])
    for (file, key) in [("\(name).tflite", "\(name).float"), ("\(name).default.tflite", "\(name).default")] {
      let expected = try #require(archive.arrays[key]).floats
      let got = try Self.run(file, x)
      try #require(got.count == expected.count)
      let scale = max(1, expected.map(abs).max() ?? 0)
      let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? .infinity
      #expect(worst <= 2e-5 * scale, "\(file): max difference \(worst)")
    }
  }

  @Test("the hybrid file differs from the float one, so the hybrid check has something to see",
        arguments: ["lstm_stack", "bilstm_seq"])
  func hybridChangesOutputs(name: String) throws {
    let archive = try NumPyArchive.load(path: Self.fixture("lstm_reference.npz"))
    let a = try #require(archive.arrays["\(name).float"]).floats, b = try #require(archive.arrays["\(name).default"]).floats
    #expect(zip(a, b).contains { $0 != $1 })
  }

  @Test("Bidirectional merge ave: our conversion (ADD, the ½ folded into the Dense as the converter does) computes the converter's outputs")
  func averagedDirections() throws {
    let keras = URL(fileURLWithPath: Self.fixture("bilstm_ave.tflite")).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("keras/bilstm_ave.keras").path
    let path = NSTemporaryDirectory() + "qscope-bilstm-ave-\(UUID().uuidString).tflite"
    try Data(try KerasToTFLite.convert(try KerasFormat.open(path: keras))).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let converted = try TFLiteFormat.open(path: path)
    let types = try #require(converted.graph).ops.map { $0.type }
    #expect(types.suffix(3) == ["STRIDED_SLICE", "ADD", "FULLY_CONNECTED"])
    let archive = try NumPyArchive.load(path: Self.fixture("lstm_reference.npz"))
    let x = try #require(archive.arrays["bilstm_ave.x"])
    let expected = try #require(archive.arrays["bilstm_ave.float"]).floats
    let got = try Self.run(model: converted, x)
    try #require(got.count == expected.count)
    let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? .infinity
    #expect(worst <= 2e-5 * max(1, expected.map(abs).max() ?? 0), "max difference \(worst)")
  }

  @Test("REVERSE_V2 reverses the listed axes (negative axes too) and refuses an axis listed twice")
  func reverseV2() throws {
    let graph = ModelGraph(
      tensors: [.init(name: "x", shape: [2, 3, 2], dtype: .f32), .init(name: "axes", shape: [2], dtype: .i32),
                .init(name: "y", shape: [2, 3, 2], dtype: .f32)],
      ops: [.init(type: "REVERSE_V2", inputs: [0, 1], outputs: [2])],
      inputs: [.init(name: "x", tensor: 0), .init(name: "axes", tensor: 1)], outputs: [.init(name: "y", tensor: 2)])
    let interpreter = Interpreter(graph: graph)
    let x = EvalTensor(shape: [2, 3, 2], data: (0..<12).map(Float.init))
    func reversed(_ axes: [Float]) throws -> [Float] {
      var values = try interpreter.initialValues(inputs: [x, EvalTensor(shape: [axes.count], data: axes)]) { _ in [] }
      try interpreter.run(ops: [0], values: &values)
      return try #require(values[2]).data
    }
    #expect(try reversed([1]) == [4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7])
    #expect(try reversed([0, -1]) == [7, 6, 9, 8, 11, 10, 1, 0, 3, 2, 5, 4])
    #expect(throws: EvaluationError.self) { try reversed([1, 1]) }
  }

  @Test("an LSTM op with inputs of the wrong shape is one error, not a crash")
  func badShapes() throws {
    let model = try TFLiteFormat.open(path: Self.fixture("lstm_small.tflite"))
    let graph = try #require(model.graph)
    let interpreter = Interpreter(graph: graph)
    // Input features 5 instead of 6: the weights [16, 6] no longer fit.
    var values = try interpreter.initialValues(inputs: [EvalTensor(zeros: [1, 8, 5])]) { index in Self.constant(model, index) }
    do {
      try interpreter.run(ops: Array(graph.ops.indices), values: &values)
      Issue.record("ran an LSTM whose weights do not fit its input")
    } catch {
      #expect("\(error)".contains("do not fit"), "\(error)")
    }
    var rank2 = try interpreter.initialValues(inputs: [EvalTensor(zeros: [8, 6])]) { index in Self.constant(model, index) }
    #expect(throws: EvaluationError.self) { try interpreter.run(ops: Array(graph.ops.indices), values: &rank2) }
  }

  @Test("live accuracy runs an LSTM hybrid when its weights become per-tensor int8 or already are")
  func hybridModesForLSTM() throws {
    let model = try TFLiteFormat.open(path: Self.fixture("lstm_stack.tflite"))
    let graph = try #require(model.graph)
    let lstm = graph.ops.indices.filter { graph.ops[$0].type == "UNIDIRECTIONAL_SEQUENCE_LSTM" }
    let weights = TFLitePresets.dynamicRange(model).map(\.tensorIndex)
    try #require(weights.count == 8)
    let tensorWise = Dictionary(uniqueKeysWithValues: weights.map { ($0, Scheme.int8Tensor) })
    let modes = EvaluationSession.hybridModes(model, graph, tensorWise)
    #expect(Array(modes.keys) == [lstm[0]])
    #expect(modes[lstm[0]]?.asymmetric == true)
    let channelWise = Dictionary(uniqueKeysWithValues: weights.map { ($0, Scheme.int8) })
    #expect(EvaluationSession.hybridModes(model, graph, channelWise).isEmpty)
    let converted = try TFLiteFormat.open(path: Self.fixture("lstm_stack.default.tflite"))
    let convertedGraph = try #require(converted.graph)
    let stored = EvaluationSession.hybridModes(converted, convertedGraph, [:])
    #expect(stored.count == 1 && stored.values.first?.asymmetric == true)
  }
}

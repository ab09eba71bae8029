import Evaluation
import Foundation
import QuantEngine
import TensorCore
import Testing
import Workflows

@Suite struct EvaluationSessionTests {
  static let cnn = SampleFiles.root + "/SampleModels/digits-cnn.tflite"
  static let mlp = SampleFiles.root + "/SampleModels/digits-mlp.tflite"

  @Test func theTFLiteReaderBuildsAGraph() throws {
    let (model, _) = try ModelOpener.open(path: Self.cnn)
    let graph = try #require(model.graph)
    #expect(graph.inputs.count == 1 && graph.outputs.count == 1)
    #expect(graph.tensors[graph.inputs[0].tensor].shape == [1, 8, 8, 1])
    #expect(graph.ops.contains { $0.type == "DEPTHWISE_CONV_2D" })
    let conv = try #require(graph.ops.first { $0.type == "CONV_2D" })
    #expect(conv.string("padding") == "SAME" && conv.int("stride_h") == 1)
    // Every weight is a constant pointing at the model tensor of the same name.
    for tensor in graph.tensors {
      if case let .modelTensor(m)? = tensor.constant { #expect(model.tensors[m].name == tensor.name) }
    }
  }

  @Test func floatAccuracyMatchesTheSampleReadme() throws {
    let session = try EvaluationSession.open(path: Self.cnn, dataPath: nil)
    #expect(session.data.samples == 360)
    // SampleModels/README.md: float .tflite 0.9889 (356 of 360).
    #expect(session.floatAccuracy == 356.0 / 360.0)
    let report = try session.evaluate(plan: Plan())
    #expect(report.quantized.top1Agreement == 1 && report.quantized.outputSQNR == .infinity)
  }

  @Test func quantizingChangesOutputsAndLowerBitsCostMore() throws {
    let session = try EvaluationSession.open(path: Self.mlp, dataPath: nil)
    let int8 = try session.evaluate(plan: Plan(defaultScheme: .int8))
    let int4 = try session.evaluate(plan: Plan(defaultScheme: .int4))
    #expect(int8.quantized.outputSQNR > int4.quantized.outputSQNR)
    #expect(int8.quantized.klDivergence < int4.quantized.klDivergence)
    #expect(int8.quantizedBytes < int8.originalBytes && int4.quantizedBytes < int8.quantizedBytes)
    #expect(int8.layers.contains { $0.opType == "FULLY_CONNECTED" && $0.sqnr.isFinite })
    let floor = try session.noiseFloor()
    #expect(floor.quantized.outputSQNR > int8.quantized.outputSQNR)
  }

  @Test func incrementalUpdatesEqualAFullEvaluation() async throws {
    let session = try EvaluationSession.open(path: Self.cnn, dataPath: nil)
    let fresh = try EvaluationSession.open(path: Self.cnn, dataPath: nil)
    let weights = session.model.tensors.indices.filter { session.model.tensors[$0].isQuantizable }
    try #require(weights.count >= 3)
    var last: EvaluationReport?
    for (n, index) in weights.enumerated() {
      last = try await withCheckedThrowingContinuation { continuation in
        session.update(tensorIndex: index, scheme: n % 2 == 0 ? .int4 : .int8) { continuation.resume(with: $0) }
      }
    }
    var tensors: [String: Scheme] = [:]
    for (n, index) in weights.enumerated() { tensors[session.model.tensors[index].name] = n % 2 == 0 ? .int4 : .int8 }
    let full = try fresh.evaluate(plan: Plan(tensors: tensors))
    let incremental = try #require(last)
    #expect(incremental.quantized == full.quantized)
    #expect(incremental.layers == full.layers)
  }

  @Test func aNewerUpdateCancelsAnOlderOne() async throws {
    let session = try EvaluationSession.open(path: Self.cnn, dataPath: nil)
    let first = session.model.tensors.indices.first { session.model.tensors[$0].isQuantizable } ?? 0
    let results = ResultBox()
    let token = session.update(tensorIndex: first, scheme: .int4) { results.append($0) }
    let final: EvaluationReport = try await withCheckedThrowingContinuation { continuation in
      session.update(tensorIndex: first, scheme: .int8) { continuation.resume(with: $0) }
    }
    #expect(token.isCancelled)
    let expected = try EvaluationSession.open(path: Self.cnn, dataPath: nil)
      .evaluate(plan: Plan(tensors: [session.model.tensors[first].name: .int8]))
    #expect(final.quantized == expected.quantized)
  }

  @Test func badDataIsAClearError() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("qscope-eval-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    func write(_ name: String, _ members: [(String, EvalTensor)]) throws -> String {
      let path = folder.appendingPathComponent(name).path
      let bytes = NumPyTests.zip(members.map { ($0.0 + ".npy", Array(NumPyWriter.data($0.1))) })
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      return path
    }
    let wrongShape = try write("shape.npz", [("x", EvalTensor(zeros: [2, 7, 7, 1]))])
    #expect(throws: EvaluationError.self) { try EvaluationSession.open(path: Self.cnn, dataPath: wrongShape) }
    var nan = EvalTensor(zeros: [2, 8, 8, 1]); nan.data[5] = .nan
    let nanPath = try write("nan.npz", [("x", nan)])
    #expect(throws: EvaluationError.self) { try EvaluationSession.open(path: Self.cnn, dataPath: nanPath) }
    let floatLabels = try write("labels.npz", [("x", EvalTensor(zeros: [2, 8, 8, 1])), ("y", EvalTensor(shape: [2], data: [1, 2]))])
    #expect(throws: EvaluationError.self) { try EvaluationSession.open(path: Self.cnn, dataPath: floatLabels) }
    let labels: [UInt8] = [3, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0]
    let outOfRange = folder.appendingPathComponent("range.npz").path
    let archive = NumPyTests.zip([("x.npy", Array(NumPyWriter.data(EvalTensor(zeros: [2, 8, 8, 1])))),
                                  ("y.npy", NumPyTests.npy(descr: "<i8", shape: "(2,)", payload: labels))])
    try Data(archive).write(to: URL(fileURLWithPath: outOfRange))
    #expect(throws: EvaluationError.badData(file: outOfRange, reason: "label 12 is out of range for 10 classes")) {
      try EvaluationSession.open(path: Self.cnn, dataPath: outOfRange)
    }
    let noX = try write("nox.npz", [("inputs", EvalTensor(zeros: [2, 8, 8, 1]))])
    #expect(throws: EvaluationError.self) { try EvaluationSession.open(path: Self.cnn, dataPath: noX) }
  }

  @Test func weightOnlyFormatsSayTheyHaveNoGraph() {
    let path = SampleFiles.root + "/SampleModels/digits-cnn.safetensors"
    #expect(throws: EvaluationError.self) { try EvaluationSession.open(path: path, dataPath: nil) }
  }
}

/// Collects results delivered on the session's queue.
final class ResultBox: @unchecked Sendable {
  private let lock = NSLock()
  private var items: [Result<EvaluationReport, EvaluationError>] = []
  func append(_ r: Result<EvaluationReport, EvaluationError>) { lock.withLock { items.append(r) } }
}

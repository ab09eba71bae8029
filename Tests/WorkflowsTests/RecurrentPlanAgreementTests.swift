import Evaluation
import Foundation
import ModelFormats
import QuantEngine
import TensorCore
import Testing
@testable import Workflows

/// A plan that quantizes only some of an LSTM's weights: the writer re-encodes an LSTM's weights
/// all together or not at all, so dry-run (QuantizeJob), the live evaluation and the written file
/// must all keep the partial group float; a plan covering the whole group quantizes it everywhere.
@Suite struct RecurrentPlanAgreementTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("ModelFormatsTests/Fixtures/tflite/lstm_small.tflite").path
  /// The eight weight matrices of lstm_small's UNIDIRECTIONAL_SEQUENCE_LSTM (constants 4–11).
  static let weights = (4...11).map { "arith.constant\($0)" }

  func makeSession(_ path: String) throws -> EvaluationSession {
    let (model, format) = try ModelOpener.open(path: path)
    let graph = try #require(model.graph)
    let input = try #require(graph.inputs.first)
    let shape = graph.tensors[input.tensor].shape
    let count = shape.reduce(1, *)
    let x = (0..<count).map { i in Float((i * 37) % 23) / 11 - 1 }
    return try EvaluationSession(model: model, format: format, data: EvaluationData(path: "x.npz", inputs: EvalTensor(shape: shape, data: x), labels: nil))
  }

  func plan(_ names: ArraySlice<String>) -> Plan {
    Plan(tensors: Dictionary(uniqueKeysWithValues: names.map { ($0, Scheme.int8Tensor) }))
  }

  /// Writes `plan`, returning the written file's path and the dtype of each LSTM weight in it.
  func write(_ plan: Plan) throws -> (path: String, dtypes: [DType]) {
    let (model, format) = try ModelOpener.open(path: Self.fixture)
    let job = QuantizeJob(model: model, format: format, plan: plan)
    let path = NSTemporaryDirectory() + "qscope-lstm-plan-\(UUID().uuidString).tflite"
    _ = try job.save(to: path, options: WriteOptions())
    let written = try TFLiteFormat.open(path: path)
    let dtypes = Self.weights.compactMap { name in written.tensors.first { $0.name == name }?.dtype }
    return (path, dtypes)
  }

  @Test("4 of 8 LSTM weights as int8-tensor: dry-run, evaluation and the written file all keep the LSTM float")
  func partialGroupStaysFloatEverywhere() throws {
    let (model, format) = try ModelOpener.open(path: Self.fixture)
    let partial = plan(Self.weights[4...])
    let job = QuantizeJob(model: model, format: format, plan: partial)
    #expect(job.changed.isEmpty)
    #expect(job.problems.count == 4)
    #expect(job.problems.allSatisfy { $0.problem?.contains("UNIDIRECTIONAL_SEQUENCE_LSTM #0's 8 weights are quantized together") == true })
    #expect(job.estimatedFileBytes == model.fileBytes)

    let session = try makeSession(Self.fixture)
    let report = try session.evaluate(plan: partial)
    #expect(report.problems.count == 4)
    #expect(report.quantized.outputSQNR == .infinity)
    let evaluated = try #require(try session.currentOutput())

    let (path, dtypes) = try write(partial)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(dtypes == [DType](repeating: .f32, count: 8))
    let fromFile = try makeSession(path).floatOutput
    #expect(fromFile.data == evaluated.data)
  }

  @Test("all 8 LSTM weights as int8-tensor: dry-run, evaluation and the written file all run the LSTM hybrid")
  func wholeGroupQuantizedEverywhere() throws {
    let (model, format) = try ModelOpener.open(path: Self.fixture)
    let whole = plan(Self.weights[...])
    let job = QuantizeJob(model: model, format: format, plan: whole)
    #expect(job.changed.count == 8)
    #expect(job.problems.isEmpty)
    #expect(job.estimatedFileBytes < model.fileBytes)

    let session = try makeSession(Self.fixture)
    let report = try session.evaluate(plan: whole)
    #expect(report.problems.isEmpty)
    #expect(report.quantized.outputSQNR.isFinite)
    let evaluated = try #require(try session.currentOutput())

    let (path, dtypes) = try write(whole)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(dtypes == [DType](repeating: .i8, count: 8))
    let fromFile = try makeSession(path).floatOutput
    #expect(fromFile.data.count == evaluated.data.count)
    let worst = zip(fromFile.data, evaluated.data).map { abs($0 - $1) }.max() ?? .infinity
    #expect(worst < 1e-5, "evaluation and written file differ by \(worst)")
  }

  @Test("isolated sensitivity of an LSTM weight quantizes its whole group and takes an equal share; measured tables agree")
  func isolatedMeasuresTheGroup() throws {
    let session = try makeSession(Self.fixture)
    let indices = Self.weights.compactMap { name in session.model.tensors.firstIndex { $0.name == name } }
    try #require(indices.count == 8)
    #expect(Set(session.measuredTogether(indices[0])) == Set(indices))
    let share = try session.isolatedKL(tensorIndex: indices[0], scheme: .int8Tensor)
    let whole = try session.compute(target: Dictionary(uniqueKeysWithValues: indices.map { ($0, Scheme.int8Tensor) }), token: nil, commit: false)
    #expect(share > 0)
    #expect(abs(share * 8 - max(0, whole.quantized.klDivergence)) <= 1e-12 + 1e-9 * share)
    let table = try Sensitivity.measured(session, options: .init(schemes: [.int8Tensor]))
    let errors = Self.weights.compactMap { name in
      table.tensors.first { $0.name == name }?.candidates.first { $0.scheme == .int8Tensor }?.error
    }
    #expect(errors.count == 8 && errors.allSatisfy { $0 == share })
  }

  @Test("the group rule names the op and the count; a group all or none planned has no problem")
  func groupProblemsRule() {
    let group = JointTensorGroup(name: "LSTM #3", members: [1, 2, 3], accepted: "int8-tensor")
    #expect(group.problems { $0 == 2 }.keys.sorted() == [2])
    #expect(group.problems { $0 == 2 }[2]?.contains("LSTM #3's 3 weights") == true)
    #expect(group.problems { _ in true }.isEmpty)
    #expect(group.problems { _ in false }.isEmpty)
    let unplannable = JointTensorGroup(name: "LSTM #3", members: [1], accepted: "int8-tensor", unplannable: 1)
    #expect(unplannable.problems { _ in true }.keys.sorted() == [1])
  }
}

import Evaluation
import Foundation
import ModelFormats
import QuantEngine
import TensorCore
import Testing
@testable import Workflows

/// Per-channel ⟨a²⟩ from evaluation data, used like an imatrix to weight the data-free errors.
@Suite struct ActivationImportanceTests {
  /// Two fully connected layers read the same input x [4, 16], whose channel 0 is ±10 and the
  /// rest ±0.1. In `a.weight` only column 0 misses the int4 grid (per-row scale 1: integers up
  /// to 7, 0.5 in column 0); in `b.weight` column 0 is on the grid and columns 1–15 miss it.
  /// Unweighted, b loses 15× more; weighted by ⟨a²⟩, a's error sits on the channel that matters.
  static func session() throws -> EvaluationSession {
    func weight(offColumns: Set<Int>) -> [Float] {
      (0..<(8 * 16)).map { i in
        let row = i / 16, column = i % 16
        if column == 15 - row % 4 { return 7 }
        return Float((row + column) % 5 - 2) + (offColumns.contains(column) ? 0.5 : 0)
      }
    }
    let path = try AutopilotFixture.safetensors([
      ("a.weight", [8, 16], weight(offColumns: [0])),
      ("b.weight", [8, 16], weight(offColumns: Set(1..<16))),
    ])
    var (model, format) = try ModelOpener.open(path: path)
    let a = try #require(model.tensorIndex(named: "a.weight")), b = try #require(model.tensorIndex(named: "b.weight"))
    model.graph = ModelGraph(
      tensors: [
        .init(name: "x", shape: [1, 16], dtype: .f32),
        .init(name: "a.weight", shape: [8, 16], dtype: .f32, constant: .modelTensor(a)),
        .init(name: "b.weight", shape: [8, 16], dtype: .f32, constant: .modelTensor(b)),
        .init(name: "ya", shape: [1, 8], dtype: .f32), .init(name: "yb", shape: [1, 8], dtype: .f32),
        .init(name: "y", shape: [1, 8], dtype: .f32),
      ],
      ops: [
        .init(type: "FULLY_CONNECTED", inputs: [0, 1, -1], outputs: [3]),
        .init(type: "FULLY_CONNECTED", inputs: [0, 2, -1], outputs: [4]),
        .init(type: "ADD", inputs: [3, 4], outputs: [5]),
      ],
      inputs: [.init(name: "x", tensor: 0)], outputs: [.init(name: "y", tensor: 5)])
    let x = (0..<(4 * 16)).map { i -> Float in
      let sign: Float = (i / 16 + i) % 2 == 0 ? 1 : -1
      return sign * (i % 16 == 0 ? 10 : 0.1)
    }
    let data = EvaluationData(path: "x.npz", inputs: EvalTensor(shape: [4, 16], data: x), labels: nil)
    return try EvaluationSession(model: model, format: format, data: data)
  }

  @Test func collectsMeanSquaredInputPerChannel() throws {
    let stats = try Self.session().activationImportance()
    #expect(Set(stats.keys) == ["a.weight", "b.weight"])
    let a = try #require(stats["a.weight"])
    #expect(a.axis == 1 && a.rows == 4 && a.values.count == 16)
    #expect(abs(a.values[0] - 100) < 1e-3)
    #expect(a.values.dropFirst().allSatisfy { abs($0 - 0.01) < 1e-6 })
    #expect(stats["b.weight"] == a)
  }

  @Test func weightingFlipsTheRankingAndTheSolverFollows() throws {
    let session = try Self.session()
    let plain = try Sensitivity.dataFree(session.model, format: session.format, options: .init(schemes: [.int8, .int4]))
    var options = Sensitivity.Options(schemes: [.int8, .int4])
    options.weight(by: session.activationImportance())
    let weighted = try Sensitivity.dataFree(session.model, format: session.format, options: options)
    #expect(plain.kind == .weightNoise && weighted.kind == .importanceWeighted)
    func int4(_ table: SensitivityTable, _ name: String) throws -> Double {
      try #require(table.entry(named: name)?.cost(of: .int4)).error
    }
    #expect(try int4(plain, "b.weight") > 10 * int4(plain, "a.weight"))
    #expect(try int4(weighted, "a.weight") > 10 * int4(weighted, "b.weight"))

    // Room for one tensor at int8 and the other at int4: the weighted table protects a.
    func solve(_ table: SensitivityTable) throws -> [String: Scheme?] {
      let planner = try AutoPlanner(table: table)
      let a = try #require(table.entry(named: "a.weight")), b = try #require(table.entry(named: "b.weight"))
      let fixed = table.fileBytes - a.originalBytes - b.originalBytes
      let bytes = try #require(a.cost(of: .int8)).bytes + #require(b.cost(of: .int4)).bytes
      return try planner.solve(.fileBytes(fixed + bytes)).plan.tensors.mapValues { Optional($0) }
    }
    #expect(try solve(plain) == ["a.weight": .int4, "b.weight": .int8])
    #expect(try solve(weighted) == ["a.weight": .int8, "b.weight": .int4])
  }

  @Test func depthwiseAndBatchMatMulChannels() throws {
    // Depthwise: 2 input channels, multiplier 2 → weight channel k reads input channel k / 2.
    let x = EvalTensor(shape: [1, 1, 2, 2], data: [1, 3, 1, 3])
    let dw = try #require(ActivationUse(ModelGraph.Op(type: "DEPTHWISE_CONV_2D", inputs: [0, 1], outputs: [2])))
    let (dwSums, dwRows, dwAxis) = try #require(dw.statistics(x, weightShape: [1, 3, 3, 4]))
    #expect(dwSums == [2, 2, 18, 18] && dwRows == 2 && dwAxis == 3)
    // BATCH_MATMUL x [2, 3] · W [3, 4]: contraction over x's last axis and W's first.
    let m = EvalTensor(shape: [2, 3], data: [1, 2, 3, 1, 2, 3])
    let bmm = try #require(ActivationUse(ModelGraph.Op(type: "BATCH_MATMUL", inputs: [0, 1], outputs: [2])))
    let (sums, rows, axis) = try #require(bmm.statistics(m, weightShape: [3, 4]))
    #expect(sums == [2, 8, 18] && rows == 2 && axis == 0)
    // adj_x: x stored [3, 2], so the contraction runs along its first axis.
    let adjoint = try #require(ActivationUse(ModelGraph.Op(
      type: "BATCH_MATMUL", inputs: [0, 1], outputs: [2], attributes: ["adj_x": .bool(true)])))
    let (adjSums, _, _) = try #require(adjoint.statistics(EvalTensor(shape: [3, 2], data: [1, 1, 2, 2, 3, 3]), weightShape: [3, 4]))
    #expect(adjSums == [2, 8, 18])
    #expect(bmm.statistics(m, weightShape: [5, 4]) == nil)
  }

  @Test func importanceAlongTheFirstAxisWeightsRows() {
    // weightedEnergy with stride: a [3, 2] tensor weighted per row (axis 0).
    let x: [Float] = [1, 1, 2, 2, 3, 3]
    let energy = x.withUnsafeBufferPointer {
      Sensitivity.weightedEnergy($0, reconstruction: nil, weights: [1, 0, 2], row: 3, stride: 2)
    }
    let expected: Double = 1 * 2 + 2 * 18
    #expect(energy == expected)
  }
}

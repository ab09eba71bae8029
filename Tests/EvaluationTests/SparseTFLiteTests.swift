import Evaluation
import Foundation
import ModelFormats
import TensorCore
import Testing
@testable import Workflows

/// A sparse TFLite file built with our own FlatBuffers encoder: the reader must parse uint8 and
/// uint16 index vectors and a block map, and the session must run FULLY_CONNECTED on the
/// densified weights.
@Suite struct SparseTFLiteTests {
  static func scalar(_ value: Int, _ size: Int) -> FlatBufferValue { .scalar(bits: UInt64(truncatingIfNeeded: value), size: size) }

  static func vector(_ values: [Int], elementSize: Int) -> FlatBufferValue {
    let bytes = values.flatMap { v in (0..<elementSize).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    return .vector(.owned(bytes), elementSize: elementSize, alignment: max(4, elementSize))
  }

  static func floats(_ values: [Float]) -> FlatBufferValue {
    .vector(.owned(values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }),
            elementSize: 1, alignment: 16)
  }

  static func tensor(_ name: String, _ shape: [Int], buffer: Int, sparsity: FlatBufferTable? = nil) -> FlatBufferTable {
    var fields: [Int: FlatBufferValue] = [
      0: vector(shape, elementSize: 4), 1: scalar(0, 1), 2: scalar(buffer, 4), 3: .string(.owned(Array(name.utf8))),
    ]
    if let sparsity { fields[6] = .table(sparsity) }
    return FlatBufferTable(type: "Tensor", fields: fields)
  }

  /// FULLY_CONNECTED 8 → 4 with weights in 1x4 blocks: block columns per row {1}, {}, {0, 1}, {0}
  /// (segments uint16, indices uint8), the 16 stored values 1…16 in block order.
  static func model() throws -> String {
    let dense = FlatBufferTable(type: "DimensionMetadata", fields: [0: scalar(0, 1), 1: scalar(4, 4)])
    let csr = FlatBufferTable(type: "DimensionMetadata", fields: [
      0: scalar(1, 1),
      2: scalar(2, 1), 3: .table(FlatBufferTable(type: "Uint16Vector", fields: [0: vector([0, 1, 1, 3, 4], elementSize: 2)])),
      4: scalar(3, 1), 5: .table(FlatBufferTable(type: "Uint8Vector", fields: [0: vector([1, 0, 1, 0], elementSize: 1)])),
    ])
    let sparsity = FlatBufferTable(type: "SparsityParameters", fields: [
      0: vector([0, 1, 2], elementSize: 4), 1: vector([1], elementSize: 4), 2: .tables([dense, csr, dense]),
    ])
    let op = FlatBufferTable(type: "Operator", fields: [
      0: scalar(0, 4), 1: vector([0, 1, 2], elementSize: 4), 2: vector([3], elementSize: 4),
    ])
    let subgraph = FlatBufferTable(type: "SubGraph", fields: [
      0: .tables([tensor("x", [1, 8], buffer: 0), tensor("w", [4, 8], buffer: 1, sparsity: sparsity),
                  tensor("b", [4], buffer: 2), tensor("y", [1, 4], buffer: 0)]),
      1: vector([0], elementSize: 4), 2: vector([3], elementSize: 4), 3: .tables([op]),
    ])
    let code = FlatBufferTable(type: "OperatorCode", fields: [0: scalar(9, 1), 2: scalar(1, 4), 3: scalar(9, 4)])
    let model = FlatBufferTable(type: "Model", fields: [
      0: scalar(3, 4), 1: .tables([code]), 2: .tables([subgraph]),
      4: .tables([FlatBufferTable(type: "Buffer"), FlatBufferTable(type: "Buffer", fields: [0: floats((1...16).map(Float.init))]),
                  FlatBufferTable(type: "Buffer", fields: [0: floats([0.5, -1, 2, 0])])]),
    ])
    let bytes = try [UInt8]().withUnsafeBytes { empty in
      var encoder = FlatBufferEncoder(schema: TFLiteSchema.schema, source: empty)
      return try encoder.finish(root: model, identifier: TFLiteSchema.identifier)
    }
    let path = NSTemporaryDirectory() + "qscope-sparse-\(UUID().uuidString).tflite"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func readerParsesSmallIndexTypesAndTheSessionRunsTheDenseProduct() throws {
    let path = try Self.model()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (model, format) = try ModelOpener.open(path: path)
    let graph = try #require(model.graph)
    let sparsity = try #require(graph.tensors[1].sparsity)
    #expect(sparsity.traversalOrder == [0, 1, 2] && sparsity.blockMap == [1])
    #expect(sparsity.dimensions == [.dense(size: 4), .sparse(segments: [0, 1, 1, 3, 4], indices: [1, 0, 1, 0]), .dense(size: 4)])

    let w: [[Float]] = [
      [0, 0, 0, 0, 1, 2, 3, 4],
      [0, 0, 0, 0, 0, 0, 0, 0],
      [5, 6, 7, 8, 9, 10, 11, 12],
      [13, 14, 15, 16, 0, 0, 0, 0],
    ]
    let bias: [Float] = [0.5, -1, 2, 0]
    let x: [Float] = [1, -1, 0.5, 2, 0, 1, -2, 0.25, 0, 0, 0, 1, 1, 0, 0, 0]
    let data = EvaluationData(path: "x.npz", inputs: EvalTensor(shape: [2, 8], data: x), labels: nil)
    let session = try EvaluationSession(model: model, format: format, data: data)
    var expected: [Float] = []
    for sample in 0..<2 {
      for row in 0..<4 {
        expected.append(bias[row] + (0..<8).reduce(Float(0)) { $0 + w[row][$1] * x[sample * 8 + $1] })
      }
    }
    #expect(session.floatOutput.shape == [2, 4])
    #expect(zip(session.floatOutput.data, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(session.floatOutput.data) vs \(expected)")
  }
}

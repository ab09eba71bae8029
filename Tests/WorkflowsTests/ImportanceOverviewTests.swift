import ModelFormats
import TensorCore
import Testing
import Workflows

/// The per-tensor importance summary the TUI lists (ImportanceOverview).
@Suite struct ImportanceOverviewTests {
  /// Four tensors over zero bytes of memory: three quantizable weights with rows of 4, one norm.
  static func model() throws -> Model {
    let file = MappedFile(bytes: [UInt8](repeating: 0, count: 64), name: "mem")
    func tensor(_ name: String, _ shape: [Int], quantizable: Bool) throws -> ModelTensor {
      ModelTensor(
        name: name, shape: shape, dtype: .f32, location: try TensorLocation(file: file, offset: 0, byteCount: 0),
        layer: "blk.0", isQuantizable: quantizable)
    }
    let tensors = [
      try tensor("blk.0.attn_q.weight", [2, 4], quantizable: true),
      try tensor("blk.0.attn_norm.weight", [4], quantizable: false),
      try tensor("blk.0.ffn_down.weight", [2, 4], quantizable: true),
      try tensor("blk.0.ffn_up.weight", [2, 4], quantizable: true),
      try tensor("blk.0.attn_v.weight", [2, 4], quantizable: true),
    ]
    return Model(
      format: .gguf, path: "mem.gguf", fileBytes: 64, tensors: tensors,
      layers: [ModelLayer(name: "blk.0", tensorIndices: Array(tensors.indices))])
  }

  static let matrix = ImportanceMatrix(
    entries: [
      "blk.0.attn_q.weight": [1, 1, 1, 1],  // mean 1
      "blk.0.ffn_down.weight": [2, 2, 2, 10],  // mean 4, peaked
      "blk.0.attn_v.weight": [2, 2, 2],  // wrong length: 3 for rows of 4
      "blk.9.attn_q.weight": [1, 1, 1, 1],  // no such tensor
    ], layout: .gguf)

  @Test func entriesRankAndCompareWithTheMedian() throws {
    let model = try Self.model()
    let overview = ImportanceOverview(model: model, matrix: Self.matrix, path: "m.imatrix")
    #expect(overview.matchedCount == 3)
    let q = try #require(overview.entry(forTensorAt: 0))
    let down = try #require(overview.entry(forTensorAt: 2))
    let v = try #require(overview.entry(forTensorAt: 4))
    // Means 1, 4 and 2: median 2.
    #expect(q.relativeMean == 0.5)
    #expect(down.relativeMean == 2)
    #expect(v.relativeMean == 1)
    #expect([down.rank, v.rank, q.rank] == [1, 2, 3])
    #expect(down.summary.max == 10 && down.summary.columns == 4)
    #expect(down.summary.peakRatio == 2.5)
    #expect(q.problem == nil && down.problem == nil)
    #expect(v.problem?.contains("3 values") == true)
    #expect(overview.entry(forTensorAt: 1) == nil && overview.entry(forTensorAt: 3) == nil)
  }

  @Test func missingAndUnusedEntriesAreListed() throws {
    let overview = ImportanceOverview(model: try Self.model(), matrix: Self.matrix)
    #expect(overview.missing == ["blk.0.ffn_up.weight"])  // the norm is not quantizable
    #expect(overview.unused == ["blk.9.attn_q.weight"])
  }

  @Test func cellsAndLayerMeans() throws {
    let model = try Self.model()
    let overview = ImportanceOverview(model: model, matrix: Self.matrix)
    #expect(overview.cell(forTensorAt: 2) == "2×")
    #expect(overview.cell(forTensorAt: 0) == "0.5×")
    #expect(overview.cell(forTensorAt: 4) == "!")
    #expect(overview.cell(forTensorAt: 3) == "-")
    let layer = try #require(model.layers.first)
    let expected: Double = 3.5 / 3  // relative means 0.5, 2 and 1
    #expect(overview.layerRelativeMean(layer) == expected)
    #expect(overview.layerRelativeMean(ModelLayer(name: "x", tensorIndices: [1, 3])) == nil)
  }

  @Test func loadingAMissingFileIsAWorkflowError() throws {
    #expect(throws: WorkflowError.self) {
      _ = try ImportanceOverview.load(path: "/nonexistent/qscope.imatrix", for: try Self.model())
    }
  }
}

@testable import Evaluation
import Foundation
import ModelFormats
import TensorCore
import Testing
import Workflows

/// DENSIFY against layouts worked out by hand (CSR, blocks, a permuted traversal), DEQUANTIZE and
/// PADV2; the LiteRT comparison is in Tests/Interop/test_eval_interop.py.
@Suite struct SparseOpTests {
  typealias Sparsity = ModelGraph.Sparsity

  func densify(_ values: [Float], shape: [Int], _ sparsity: Sparsity) throws -> EvalTensor {
    let result = try OpHarness.run("DENSIFY", [T([values.count], values)], sparse: (shape, sparsity))
    return try #require(result.first)
  }

  @Test func csrRowsAsTheConverterWritesThem() throws {
    // Row 0 holds columns 1 and 3, row 1 nothing, row 2 column 0.
    let csr = Sparsity(traversalOrder: [0, 1], blockMap: [],
                       dimensions: [.dense(size: 3), .sparse(segments: [0, 2, 2, 3], indices: [1, 3, 0])])
    let dense = try densify([10, 20, 30], shape: [3, 4], csr)
    #expect(dense.shape == [3, 4])
    #expect(dense.data == [0, 10, 0, 20, 0, 0, 0, 0, 30, 0, 0, 0])
  }

  @Test func twoByTwoBlocks() throws {
    // Block row 0 keeps block column 1, block row 1 keeps block column 0; each block is stored whole.
    let blocks = Sparsity(traversalOrder: [0, 1, 2, 3], blockMap: [0, 1],
                          dimensions: [.dense(size: 2), .sparse(segments: [0, 1, 2], indices: [1, 0]),
                                       .dense(size: 2), .dense(size: 2)])
    let dense = try densify([1, 2, 3, 4, 5, 6, 7, 8], shape: [4, 4], blocks)
    #expect(dense.data == [0, 0, 1, 2,
                           0, 0, 3, 4,
                           5, 6, 0, 0,
                           7, 8, 0, 0])
  }

  @Test func oneByFourBlocksAlongTheInput() throws {
    // The converter's fully connected layout: [out, in] with block_map [1], blocks of 4 inputs.
    let blocks = Sparsity(traversalOrder: [0, 1, 2], blockMap: [1],
                          dimensions: [.dense(size: 2), .sparse(segments: [0, 1, 1], indices: [1]), .dense(size: 4)])
    let dense = try densify([1, 2, 3, 4], shape: [2, 8], blocks)
    #expect(dense.data == [0, 0, 0, 0, 1, 2, 3, 4,
                           0, 0, 0, 0, 0, 0, 0, 0])
  }

  @Test func columnMajorTraversal() throws {
    // Columns outermost: column 0 has row 1, column 2 has rows 0 and 1.
    let columns = Sparsity(traversalOrder: [1, 0], blockMap: [],
                           dimensions: [.dense(size: 3), .sparse(segments: [0, 1, 1, 3], indices: [1, 0, 1])])
    let dense = try densify([1, 2, 3], shape: [2, 3], columns)
    #expect(dense.data == [0, 0, 2,
                           1, 0, 3])
  }

  @Test func sparseOuterDimensionOfFourDWeights() throws {
    // CSR on the last of four dims, as the converter stores a conv kernel [O, H, W, I].
    let kernel = Sparsity(traversalOrder: [0, 1, 2, 3], blockMap: [],
                          dimensions: [.dense(size: 1), .dense(size: 1), .dense(size: 2),
                                       .sparse(segments: [0, 1, 3], indices: [2, 0, 1])])
    let dense = try densify([7, 8, 9], shape: [1, 1, 2, 3], kernel)
    #expect(dense.data == [0, 0, 7, 8, 9, 0])
  }

  /// Encodes a dense matrix the way a sparse writer would (rows or columns outermost, optionally
  /// in 1×`block` blocks along the columns) and checks DENSIFY gives it back.
  @Test(arguments: [(rowMajor: true, block: 1), (rowMajor: false, block: 1), (rowMajor: true, block: 2), (rowMajor: true, block: 3)])
  func randomMatricesRoundTrip(rowMajor: Bool, block: Int) throws {
    var seed: UInt64 = 0x9E37_79B9
    func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
    for _ in 0..<20 {
      let rows = Int(next() % 5) + 1, columns = block * (Int(next() % 4) + 1)
      let dense = (0..<(rows * columns)).map { _ in next() % 2 == 0 ? 0 : Float(Int(next() % 200) - 100) / 8 }
      let outer = rowMajor ? rows : columns / block, inner = rowMajor ? columns / block : rows
      func value(_ o: Int, _ i: Int, _ k: Int) -> Float {
        rowMajor ? dense[o * columns + i * block + k] : dense[i * columns + o]
      }
      var segments = [0], indices: [Int] = [], stored: [Float] = []
      for o in 0..<outer {
        for i in 0..<inner where (0..<block).contains(where: { value(o, i, $0) != 0 }) {
          indices.append(i)
          stored += (0..<block).map { value(o, i, $0) }
        }
        segments.append(indices.count)
      }
      var dimensions: [Sparsity.Dimension] = [.dense(size: outer), .sparse(segments: segments, indices: indices)]
      if block > 1 { dimensions.append(.dense(size: block)) }
      let layout = Sparsity(traversalOrder: block > 1 ? [0, 1, 2] : (rowMajor ? [0, 1] : [1, 0]),
                            blockMap: block > 1 ? [1] : [], dimensions: dimensions)
      guard !stored.isEmpty else { continue }
      #expect(try densify(stored, shape: [rows, columns], layout).data == dense)
    }
  }

  @Test(arguments: [
    // index outside the dimension
    Sparsity(traversalOrder: [0, 1], blockMap: [], dimensions: [.dense(size: 1), .sparse(segments: [0, 1], indices: [4])]),
    // segments run past the indices
    Sparsity(traversalOrder: [0, 1], blockMap: [], dimensions: [.dense(size: 1), .sparse(segments: [0, 3], indices: [0])]),
    // too few segment offsets for the dense parent
    Sparsity(traversalOrder: [0, 1], blockMap: [], dimensions: [.dense(size: 1), .sparse(segments: [0], indices: [0])]),
    // decreasing segments
    Sparsity(traversalOrder: [0, 1], blockMap: [], dimensions: [.dense(size: 1), .sparse(segments: [1, 0], indices: [0])]),
    // not a permutation
    Sparsity(traversalOrder: [0, 0], blockMap: [], dimensions: [.dense(size: 1), .dense(size: 4)]),
    // dense size that does not match the shape
    Sparsity(traversalOrder: [0, 1], blockMap: [], dimensions: [.dense(size: 1), .dense(size: 3)]),
    // block size that does not divide the dimension
    Sparsity(traversalOrder: [0, 1, 2], blockMap: [1], dimensions: [.dense(size: 1), .dense(size: 2), .dense(size: 3)]),
    // block map naming a dimension twice
    Sparsity(traversalOrder: [0, 1, 2, 3], blockMap: [1, 1],
             dimensions: [.dense(size: 1), .dense(size: 2), .dense(size: 2), .dense(size: 2)]),
  ])
  func malformedLayoutsAreGraphErrors(_ sparsity: Sparsity) {
    #expect(throws: EvaluationError.self) { try densify([1], shape: [1, 4], sparsity) }
  }

  @Test func storedCountMustMatchTheLayout() {
    let csr = Sparsity(traversalOrder: [0, 1], blockMap: [], dimensions: [.dense(size: 1), .sparse(segments: [0, 2], indices: [0, 1])])
    #expect(throws: EvaluationError.self) { try densify([1], shape: [1, 4], csr) }
    #expect(throws: EvaluationError.self) { try densify([1, 2, 3], shape: [1, 4], csr) }
    #expect(throws: EvaluationError.self) { try densify([1], shape: [1 << 20, 1 << 20], csr) }
  }

  @Test func denseInputPassesThroughOnlyWhenItFillsTheOutput() throws {
    let out = ModelGraph.Tensor(name: "out", shape: [2, 2], dtype: .f32)
    let passed = try OpHarness.run("DENSIFY", [T([4], [1, 2, 3, 4])], outputTensor: out)
    #expect(passed.first?.shape == [2, 2] && passed.first?.data == [1, 2, 3, 4])
    #expect(throws: EvaluationError.self) { try OpHarness.run("DENSIFY", [T([3], [1, 2, 3])], outputTensor: out) }
  }

  @Test func dequantizeReadsTheQuantizedGrid() throws {
    // QUANTIZE to scale 0.5, zero point -3 (int8), then DEQUANTIZE: values land on the grid,
    // clamp at (127 + 3) · 0.5 = 65 and (-128 + 3) · 0.5 = -62.5.
    let q = ModelGraph.Tensor(name: "q", shape: [5], dtype: .i8,
                              quantization: StoredQuantization(scales: [0.5], zeroPoints: [-3], axis: nil))
    let input = T([5], [0.2, 0.3, -1.26, 100, -100])
    let graph = ModelGraph(
      tensors: [ModelGraph.Tensor(name: "x", shape: [5], dtype: .f32), q, ModelGraph.Tensor(name: "y", shape: [5], dtype: .f32)],
      ops: [ModelGraph.Op(type: "QUANTIZE", inputs: [0], outputs: [1]), ModelGraph.Op(type: "DEQUANTIZE", inputs: [1], outputs: [2])],
      inputs: [.init(name: "x", tensor: 0)], outputs: [.init(name: "y", tensor: 2)])
    let interpreter = Interpreter(graph: graph)
    var values = try interpreter.initialValues(inputs: [input]) { (_: Int) throws(EvaluationError) in [] }
    try interpreter.run(ops: [0, 1], values: &values)
    #expect(values[2]?.data == [0, 0.5, -1.5, 65, -62.5])
    // A constant (already decoded to float by the reader) passes through with its values.
    #expect(try OpHarness.one("DEQUANTIZE", [T([2, 2], [1, -2, 0.5, 3])]) == T([2, 2], [1, -2, 0.5, 3]))
  }

  @Test func padV2FillsWithItsConstant() throws {
    let x = T([2, 2], [1, 2, 3, 4])
    let padded = try OpHarness.one("PADV2", [x, T([2, 2], [1, 0, 0, 1]), T([], [-7])])
    #expect(padded.shape == [3, 3])
    #expect(padded.data == [-7, -7, -7,
                            1, 2, -7,
                            3, 4, -7])
    // Without a fill value it pads with zero, like PAD.
    #expect(try OpHarness.one("PADV2", [x, T([2, 2], [0, 0, 1, 0])]).data == [0, 1, 2, 0, 3, 4])
    #expect(throws: EvaluationError.self) { try OpHarness.one("PADV2", [x, T([2, 2], [0, 0, -1, 0])]) }
  }

  @Test func theConverterSparseModelRunsWithItsWeightsDensified() throws {
    // scripts/make-sparse-fixtures.py: a CSR conv kernel [8, 3, 3, 4] behind DENSIFY and a 1x4
    // block-sparse fully connected weight [5, 288] that FULLY_CONNECTED reads directly.
    let path = SampleFiles.root + "/Tests/Interop/fixtures/sparse/sparse-conv.tflite"
    let session = try EvaluationSession.open(path: path, dataPath: nil)
    let graph = session.interpreter.graph
    let sparse = graph.tensors.indices.filter { graph.tensors[$0].sparsity != nil }
    #expect(sparse.map { graph.tensors[$0].shape } == [[8, 3, 3, 4], [5, 288]])
    #expect(graph.tensors[sparse[1]].sparsity?.blockMap == [1])
    func stored(_ index: Int) throws(EvaluationError) -> [Float] {
      do { return try TensorValues.decode(session.model.tensors[index], file: path) } catch {
        throw .badData(file: path, reason: error.description)
      }
    }
    let values = try session.interpreter.initialValues(inputs: [session.data.inputs], constant: stored)
    for t in sparse {
      guard case let .modelTensor(index)? = graph.tensors[t].constant else { Issue.record("not a constant"); continue }
      let dense = try #require(values[t])
      let nonZeros = try stored(index)
      #expect(dense.shape == graph.tensors[t].shape)
      // Row-major traversal and no stored zeros: the non-zeros in order are the stored values.
      #expect(dense.data.filter { $0 != 0 } == nonZeros)
      #expect(dense.count > 2 * nonZeros.count)
    }
    #expect(session.floatOutput.shape == [8, 5])
    #expect(session.floatOutput.data.allSatisfy { $0.isFinite })
  }
}

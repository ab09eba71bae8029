import TensorCore

extension ModelGraph.Sparsity {
  /// Dense tensors larger than this are refused: a sparse file can claim any dense shape, and the
  /// interpreter holds every value as Float.
  static let maximumDenseElements = 1 << 28

  /// Scatters `values` (the stored non-zeros, in traversal order) into a dense row-major tensor
  /// of `shape`, zeros elsewhere. Every segment, index and size is checked against the shape and
  /// the stored count first; a layout that does not fit returns the reason as an error.
  func densify(_ values: [Float], shape: [Int]) throws(DensifyError) -> [Float] {
    let layout = try Layout(self, shape: shape)
    var out = [Float](repeating: 0, count: layout.denseCount)
    var coordinates = [Int](repeating: 0, count: layout.sizes.count)
    var next = 0
    try visit(level: 0, parent: 0, layout: layout, values: values, coordinates: &coordinates, next: &next, out: &out)
    guard next == values.count else {
      throw DensifyError("the layout addresses \(next) values but \(values.count) are stored")
    }
    return out
  }

  private func visit(
    level: Int, parent: Int, layout: Layout, values: [Float], coordinates: inout [Int], next: inout Int, out: inout [Float]
  ) throws(DensifyError) {
    guard level < dimensions.count else {
      guard next < values.count else { throw DensifyError("the layout addresses more than the \(values.count) stored values") }
      out[layout.flatIndex(coordinates)] = values[next]
      next += 1
      return
    }
    let dimension = traversalOrder[level]
    switch dimensions[level] {
    case let .dense(size):
      for i in 0..<size {
        coordinates[dimension] = i
        // Wrapping is harmless: a position only indexes segments after a range check.
        try visit(level: level + 1, parent: parent &* size &+ i, layout: layout, values: values,
                  coordinates: &coordinates, next: &next, out: &out)
      }
    case let .sparse(segments, indices):
      guard parent >= 0, parent < segments.count - 1 else {
        throw DensifyError("dimension \(level) has \(segments.count) segment offsets, too few for position \(parent)")
      }
      let low = segments[parent], high = segments[parent + 1]
      guard low >= 0, low <= high, high <= indices.count else {
        throw DensifyError("dimension \(level) segment \(parent) spans \(low)..<\(high) of \(indices.count) indices")
      }
      for i in low..<high {
        let index = indices[i]
        guard index >= 0, index < layout.sizes[dimension] else {
          throw DensifyError("dimension \(level) index \(index) at position \(i) is outside 0..<\(layout.sizes[dimension])")
        }
        coordinates[dimension] = index
        try visit(level: level + 1, parent: i, layout: layout, values: values,
                  coordinates: &coordinates, next: &next, out: &out)
      }
    }
  }

  /// The checked geometry: sizes of the n + k traversed dimensions and how they recombine.
  struct Layout {
    var sizes: [Int]
    /// Per original dimension: the block dimension subdividing it and the block size.
    var blocks: [(dimension: Int, size: Int)?]
    var strides: [Int]
    var denseCount: Int

    init(_ sparsity: ModelGraph.Sparsity, shape: [Int]) throws(DensifyError) {
      let rank = shape.count, blockCount = sparsity.blockMap.count, total = rank + blockCount
      guard shape.allSatisfy({ $0 >= 0 }), let count = Shape.elementCount(shape),
        count <= ModelGraph.Sparsity.maximumDenseElements
      else { throw DensifyError("dense shape \(shape) is invalid or too large") }
      guard sparsity.traversalOrder.count == total, Set(sparsity.traversalOrder) == Set(0..<total) else {
        throw DensifyError("traversal order \(sparsity.traversalOrder) is not a permutation of \(total) dimensions")
      }
      guard sparsity.dimensions.count == total else {
        throw DensifyError("\(sparsity.dimensions.count) dimension descriptions for \(total) dimensions")
      }
      guard sparsity.blockMap.allSatisfy({ $0 >= 0 && $0 < rank }), Set(sparsity.blockMap).count == blockCount else {
        throw DensifyError("block map \(sparsity.blockMap) does not name distinct dimensions of rank \(rank)")
      }
      var sizes = shape + [Int](repeating: 0, count: blockCount)
      var blocks = [(dimension: Int, size: Int)?](repeating: nil, count: rank)
      for (j, original) in sparsity.blockMap.enumerated() {
        guard let position = sparsity.traversalOrder.firstIndex(of: rank + j),
          case let .dense(size) = sparsity.dimensions[position], size > 0, shape[original] % size == 0
        else { throw DensifyError("block dimension \(rank + j) needs a dense size dividing \(shape[original])") }
        sizes[original] = shape[original] / size
        sizes[rank + j] = size
        blocks[original] = (rank + j, size)
      }
      for (level, dimension) in sparsity.traversalOrder.enumerated() {
        if case let .dense(size) = sparsity.dimensions[level], size != sizes[dimension] {
          throw DensifyError("dimension \(level) is dense with size \(size), the shape needs \(sizes[dimension])")
        }
      }
      self.sizes = sizes
      self.blocks = blocks
      self.strides = Shape.strides(shape)
      self.denseCount = count
    }

    func flatIndex(_ coordinates: [Int]) -> Int {
      var flat = 0
      for d in 0..<blocks.count {
        var c = coordinates[d]
        if let block = blocks[d] { c = c * block.size + coordinates[block.dimension] }
        flat += c * strides[d]
      }
      return flat
    }
  }
}

/// Why a sparse layout could not be expanded.
struct DensifyError: Error {
  var reason: String
  init(_ reason: String) { self.reason = reason }
}

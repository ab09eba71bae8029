extension ModelGraph {
  /// A sparse tensor's layout in format-neutral terms (TFLite's SparsityParameters): the stored
  /// values are the leaves of a traversal over the dense dimensions, optionally split into blocks.
  ///
  /// For a rank-n tensor with a k-dimensional block, dimensions 0..<n are the original ones (a
  /// blocked one counts its blocks) and n..<n+k are the positions inside a block; `blockMap[j]`
  /// names the original dimension that block dimension n+j subdivides. `traversalOrder` lists all
  /// n+k dimensions outermost first, and `dimensions[i]` describes `traversalOrder[i]`.
  public struct Sparsity: Sendable, Equatable {
    /// One traversed dimension: every index in turn, or only those a compressed row lists.
    public enum Dimension: Sendable, Equatable {
      case dense(size: Int)
      /// CSR: the indices under parent position p are `indices[segments[p]..<segments[p+1]]`.
      case sparse(segments: [Int], indices: [Int])
    }

    public var traversalOrder: [Int]
    public var blockMap: [Int]
    public var dimensions: [Dimension]

    public init(traversalOrder: [Int], blockMap: [Int], dimensions: [Dimension]) {
      self.traversalOrder = traversalOrder; self.blockMap = blockMap; self.dimensions = dimensions
    }
  }
}

import TensorCore

/// How a tensor's elements split into rows (last axis) and into channels along an axis.
struct TensorLayout {
  /// Total element count (1 for a scalar shape `[]`).
  let count: Int
  /// Product of every dimension but the last (1 for a scalar).
  let rows: Int
  /// The last dimension (1 for a scalar).
  let rowLength: Int

  /// Checks the shape against the buffer length.
  init(shape: [Int], bufferCount: Int) throws(QuantError) {
    guard let count = Shape.elementCount(shape) else {
      throw .invalidShape("\(shape) has a negative dimension or overflows")
    }
    guard count == bufferCount else {
      throw .invalidShape("\(Shape.describe(shape)) needs \(count) values, buffer has \(bufferCount)")
    }
    self.count = count
    rowLength = shape.last ?? 1
    rows = rowLength == 0 ? (Shape.elementCount(Array(shape.dropLast())) ?? 0) : count / rowLength
  }

  /// Number of groups of `size` along each row (the last one may be short).
  func groupsPerRow(size: Int) -> Int { (rowLength + size - 1) / size }
}

/// A tensor seen as `[outer, channels, inner]` around its channel axis.
struct ChannelSplit {
  let outer: Int
  let channels: Int
  let inner: Int

  /// `axis` may be negative (counted from the end). A scalar is one channel of one element.
  init(shape: [Int], axis: Int) throws(QuantError) {
    if shape.isEmpty {
      outer = 1; channels = 1; inner = 1
      return
    }
    let resolved = axis < 0 ? axis + shape.count : axis
    guard resolved >= 0, resolved < shape.count else {
      throw .invalidShape("channel axis \(axis) is out of range for \(Shape.describe(shape))")
    }
    guard let outer = Shape.elementCount(Array(shape[..<resolved])),
      let inner = Shape.elementCount(Array(shape[(resolved + 1)...]))
    else { throw .invalidShape("\(shape) has a negative dimension or overflows") }
    self.outer = outer
    self.channels = shape[resolved]
    self.inner = inner
  }

  /// The channel of flat element `index`.
  func channel(of index: Int) -> Int { (index / inner) % channels }
}

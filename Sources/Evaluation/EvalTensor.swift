/// A dense float32 tensor, row-major (NHWC for images), as the interpreter passes it between ops.
/// Integer tensors (shape vectors, indices) are carried as Float too; they are small and exact.
public struct EvalTensor: Sendable, Equatable {
  public var shape: [Int]
  public var data: [Float]

  public init(shape: [Int], data: [Float]) { self.shape = shape; self.data = data }

  /// A tensor of zeros.
  public init(zeros shape: [Int]) {
    self.shape = shape
    self.data = [Float](repeating: 0, count: shape.reduce(1, *))
  }

  public var count: Int { data.count }
  public var rank: Int { shape.count }

  /// The values as integers (for shape vectors, axes, indices).
  public var ints: [Int] { data.map { $0.isFinite ? Int($0) : 0 } }
}

/// Runs work over `count` chunks on every core (two on the build machine).
enum Parallel {
  static let cores = max(1, min(8, ProcessInfoCores.count))

  static func run(_ count: Int, _ body: (Int) -> Void) {
    if count <= 1 {
      if count == 1 { body(0) }
      return
    }
    DispatchQueueBridge.concurrentPerform(count, body)
  }

  /// Splits `total` items into about `cores × 4` contiguous ranges (at least `minimum` items each).
  static func ranges(_ total: Int, minimum: Int = 1) -> [Range<Int>] {
    guard total > 0 else { return [] }
    let pieces = max(1, min(cores * 4, total / max(minimum, 1)))
    let size = (total + pieces - 1) / pieces
    return stride(from: 0, to: total, by: size).map { $0..<min($0 + size, total) }
  }

  /// Runs `body` over the ranges of `total` items in parallel.
  static func forRanges(_ total: Int, minimum: Int = 1, _ body: (Range<Int>) -> Void) {
    let parts = ranges(total, minimum: minimum)
    run(parts.count) { body(parts[$0]) }
  }
}

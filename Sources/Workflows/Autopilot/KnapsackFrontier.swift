/// The size/error frontier of a ``KnapsackProblem`` traced by a Lagrangian sweep.
///
/// Why a sweep: minimising Σ error + λ·Σ bytes separates into one independent choice per item, and
/// as λ falls from ∞ to 0 each item walks along the lower convex hull of its own options. Sorting
/// every hull segment of every item by its error saved per byte gives all those walks in one
/// order, so each prefix of that order is the optimum for some λ — the convex hull of the true
/// frontier — in O(T·S·log(T·S)) for T items of S options. Points between hull vertices (the
/// "gaps" a budget may fall into) are filled by ``KnapsackProblem/solve(budget:frontier:stateLimit:)``.
public struct KnapsackFrontier: Sendable {
  /// Moving one item from its current option to a larger, better one.
  public struct Step: Sendable, Equatable {
    public var item: Int
    public var option: Int
    /// Added bytes (> 0) and added error (< 0).
    public var bytes: Int
    public var error: Double
  }

  /// Option per item at the smallest point.
  public let start: [Int]
  /// In order of decreasing error saved per byte.
  public let steps: [Step]
  /// Totals after the first k steps, for k in 0...steps.count: bytes strictly increase, errors
  /// strictly decrease.
  public let bytes: [Int]
  public let errors: [Double]

  public init(_ problem: KnapsackProblem) {
    var start: [Int] = []
    var steps: [(step: Step, gain: Double, order: Int)] = []
    for (item, options) in problem.items.enumerated() {
      let hull = KnapsackProblem.hullOptions(options)
      start.append(hull.first ?? 0)
      var previousGain = Double.infinity
      for j in hull.indices.dropFirst() {
        let from = options[hull[j - 1]], to = options[hull[j]]
        let deltaBytes = to.bytes - from.bytes
        // Clamp so rounding can never put an item's later segment ahead of its earlier one.
        let gain = min(previousGain, (from.error - to.error) / Double(deltaBytes))
        previousGain = gain
        steps.append((Step(item: item, option: hull[j], bytes: deltaBytes, error: to.error - from.error), gain, j))
      }
    }
    steps.sort { a, b in
      if a.gain != b.gain { return a.gain > b.gain }
      if a.step.item != b.step.item { return a.step.item < b.step.item }
      return a.order < b.order
    }
    self.start = start
    self.steps = steps.map(\.step)
    let origin = problem.totals(start)
    var bytes = [origin.bytes]
    var errors = [origin.error]
    bytes.reserveCapacity(steps.count + 1)
    errors.reserveCapacity(steps.count + 1)
    for entry in steps {
      bytes.append(bytes[bytes.count - 1] + entry.step.bytes)
      errors.append(errors[errors.count - 1] + entry.step.error)
    }
    self.bytes = bytes
    self.errors = errors
  }

  /// Rounding allowance for error comparisons: a few ulps of the largest total.
  public var tolerance: Double { 1e-12 * max(1, abs(errors.first ?? 0)) }

  /// Number of points (steps + 1).
  public var count: Int { bytes.count }

  /// The option per item at point `k` (clamped to the valid range).
  public func choice(at k: Int) -> [Int] {
    var choice = start
    for step in steps.prefix(max(0, min(k, steps.count))) { choice[step.item] = step.option }
    return choice
  }

  /// The last point whose bytes fit `budget`, or nil when even the smallest does not.
  public func lastPoint(withinBytes budget: Int) -> Int? {
    guard let first = bytes.first, first <= budget else { return nil }
    var low = 0, high = bytes.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if bytes[mid] <= budget { low = mid } else { high = mid - 1 }
    }
    return low
  }

  /// The first point whose error is at most `limit`, or nil when even the best is worse.
  /// Running sums drift by a few ulps of the largest total, which the comparison allows for.
  public func firstPoint(withErrorAtMost limit: Double) -> Int? {
    let allowed = limit + tolerance
    guard let last = errors.last, last <= allowed else { return nil }
    var low = 0, high = errors.count - 1
    while low < high {
      let mid = (low + high) / 2
      if errors[mid] <= allowed { high = mid } else { low = mid + 1 }
    }
    return low
  }
}

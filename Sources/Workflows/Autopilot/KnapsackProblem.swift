/// One way to store an item of a ``KnapsackProblem``: what it costs in bytes and what it is
/// estimated to add to the model's error.
public struct KnapsackOption: Sendable, Equatable {
  public var bytes: Int
  public var error: Double
  public init(bytes: Int, error: Double) { self.bytes = bytes; self.error = error }
}

/// A multiple-choice knapsack: every item takes exactly one of its options. The autopilot builds
/// one item per tensor (or per group of tensors that must share a scheme); a pinned tensor is an
/// item with a single option.
public struct KnapsackProblem: Sendable {
  public let items: [[KnapsackOption]]

  /// Items with no option are dropped by the caller; an empty option list here would make every
  /// answer infeasible, so it is treated as a programming error and replaced by a zero option.
  public init(items: [[KnapsackOption]]) {
    self.items = items.map { $0.isEmpty ? [KnapsackOption(bytes: 0, error: 0)] : $0 }
  }

  /// The smallest total any choice reaches.
  public var minimumBytes: Int { items.reduce(0) { $0 + ($1.map(\.bytes).min() ?? 0) } }
  /// The lowest total error any choice reaches, ignoring size.
  public var minimumError: Double { items.reduce(0) { $0 + ($1.map(\.error).min() ?? 0) } }

  /// Totals of a choice (one option index per item).
  public func totals(_ choice: [Int]) -> (bytes: Int, error: Double) {
    var bytes = 0
    var error = 0.0
    for (item, option) in zip(items, choice) where item.indices.contains(option) {
      bytes += item[option].bytes
      error += item[option].error
    }
    return (bytes, error)
  }

  /// Indices of an item's options that are not dominated (no other option is both no larger and
  /// strictly better, or equally good and smaller), by increasing bytes and decreasing error.
  static func paretoOptions(_ options: [KnapsackOption]) -> [Int] {
    let order = options.indices.sorted {
      (options[$0].bytes, options[$0].error, $0) < (options[$1].bytes, options[$1].error, $1)
    }
    var kept: [Int] = []
    for index in order {
      if let last = kept.last, options[last].error <= options[index].error { continue }
      kept.append(index)
    }
    return kept
  }

  /// The lower convex hull of an item's Pareto options in the (bytes, error) plane: the options a
  /// Lagrangian relaxation (min error + λ·bytes) can select for some λ. Collinear points are kept
  /// so that every hull vertex becomes a frontier point.
  static func hullOptions(_ options: [KnapsackOption]) -> [Int] {
    var hull: [Int] = []
    for index in paretoOptions(options) {
      while hull.count >= 2 {
        let a = options[hull[hull.count - 2]], b = options[hull[hull.count - 1]], c = options[index]
        let cross = Double(b.bytes - a.bytes) * (c.error - a.error) - (b.error - a.error) * Double(c.bytes - a.bytes)
        // A right turn means b lies above the segment a–c: no λ selects it.
        if cross < 0 { hull.removeLast() } else { break }
      }
      hull.append(index)
    }
    return hull
  }
}

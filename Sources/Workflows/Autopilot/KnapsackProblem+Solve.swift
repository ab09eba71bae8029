/// A choice for a single target, with whether it is proven optimal.
public struct KnapsackSolution: Sendable, Equatable {
  public var choice: [Int]
  public var bytes: Int
  public var error: Double
  /// True when the dynamic programme finished: no choice within the target is better. False when
  /// it was too large and the answer is the hull point improved greedily (see ``KnapsackProblem``).
  public var exact: Bool
}

extension KnapsackProblem {
  /// Least error within `budget` bytes; nil when even the smallest choice is larger.
  ///
  /// Why this two-stage method: the Lagrangian hull point below the budget can leave bytes unused,
  /// and a multiple-choice knapsack's true optimum may sit off the hull. We first improve the hull
  /// point greedily (largest error reduction that still fits, repeatedly) to get an incumbent,
  /// then run a dynamic programme over Pareto lists of partial (bytes, error) sums, pruned by the
  /// budget (bytes + the smallest bytes still to come) and by the incumbent (error + the least
  /// error still to come). Its answer is exact. Real models have many items with near-identical
  /// sums, so when the lists grow past `stateLimit` entries in total we stop and return the
  /// incumbent, which is never worse than the hull point and always within the budget.
  public func solve(budget: Int, frontier: KnapsackFrontier, stateLimit: Int = 250_000) -> KnapsackSolution? {
    guard let point = frontier.lastPoint(withinBytes: budget) else { return nil }
    var choice = frontier.choice(at: point)
    fillGreedily(&choice, budget: budget)
    let incumbent = totals(choice)
    if let exact = paretoSearch(byteCap: budget, errorCap: incumbent.error, minimiseBytes: false, stateLimit: stateLimit) {
      return exact
    }
    return KnapsackSolution(choice: choice, bytes: incumbent.bytes, error: incumbent.error, exact: false)
  }

  /// Fewest bytes with total error at most `limit`; nil when even the best choice is worse.
  public func solve(maxError limit: Double, frontier: KnapsackFrontier, stateLimit: Int = 250_000) -> KnapsackSolution? {
    guard let point = frontier.firstPoint(withErrorAtMost: limit) else { return nil }
    var choice = frontier.choice(at: point)
    shrinkGreedily(&choice, errorLimit: limit)
    let incumbent = totals(choice)
    if let exact = paretoSearch(byteCap: incumbent.bytes, errorCap: limit, minimiseBytes: true, stateLimit: stateLimit) {
      return exact
    }
    return KnapsackSolution(choice: choice, bytes: incumbent.bytes, error: incumbent.error, exact: false)
  }

  /// Repeatedly applies the single-item change with the largest error reduction that still fits.
  func fillGreedily(_ choice: inout [Int], budget: Int) {
    var (bytes, _) = totals(choice)
    for _ in 0..<(4 * items.count + 1) {
      var best: (item: Int, option: Int, gain: Double, bytes: Int)?
      for (i, options) in items.enumerated() {
        let current = options[choice[i]]
        for (o, option) in options.enumerated() {
          let gain = current.error - option.error
          let added = option.bytes - current.bytes
          guard gain > 0, bytes + added <= budget else { continue }
          if best == nil || gain > (best?.gain ?? 0) { best = (i, o, gain, added) }
        }
      }
      guard let move = best else { return }
      choice[move.item] = move.option
      bytes += move.bytes
    }
  }

  /// Repeatedly applies the single-item change saving the most bytes that keeps the error limit.
  func shrinkGreedily(_ choice: inout [Int], errorLimit: Double) {
    var (_, error) = totals(choice)
    for _ in 0..<(4 * items.count + 1) {
      var best: (item: Int, option: Int, saved: Int, error: Double)?
      for (i, options) in items.enumerated() {
        let current = options[choice[i]]
        for (o, option) in options.enumerated() {
          let saved = current.bytes - option.bytes
          let added = option.error - current.error
          guard saved > 0, error + added <= errorLimit else { continue }
          if best == nil || saved > (best?.saved ?? 0) { best = (i, o, saved, added) }
        }
      }
      guard let move = best else { return }
      choice[move.item] = move.option
      error += move.error
    }
  }

  /// Exact search over Pareto lists of partial sums; nil when it exceeds `stateLimit`.
  func paretoSearch(byteCap: Int, errorCap: Double, minimiseBytes: Bool, stateLimit: Int) -> KnapsackSolution? {
    let count = items.count
    let pareto = items.map(KnapsackProblem.paretoOptions)
    var minBytesAfter = [Int](repeating: 0, count: count + 1)
    var minErrorAfter = [Double](repeating: 0, count: count + 1)
    for i in stride(from: count - 1, through: 0, by: -1) {
      minBytesAfter[i] = minBytesAfter[i + 1] + (items[i].map(\.bytes).min() ?? 0)
      minErrorAfter[i] = minErrorAfter[i + 1] + (items[i].map(\.error).min() ?? 0)
    }
    // Sums are formed in different orders along different paths; allow for rounding at the cap.
    let slack = 1e-9 * max(1, abs(errorCap)) + 1e-12 * max(1, minErrorAfter[0] + abs(errorCap))
    var bytes = [0]
    var errors = [0.0]
    var parents: [[Int32]] = []
    var picks: [[Int32]] = []
    var stored = 0
    for i in 0..<count {
      var candidates: [(bytes: Int, error: Double, parent: Int32, option: Int32)] = []
      candidates.reserveCapacity(bytes.count * pareto[i].count)
      for s in bytes.indices {
        for o in pareto[i] {
          let b = bytes[s] + items[i][o].bytes
          let e = errors[s] + items[i][o].error
          guard b + minBytesAfter[i + 1] <= byteCap, e + minErrorAfter[i + 1] <= errorCap + slack else { continue }
          candidates.append((b, e, Int32(s), Int32(o)))
        }
      }
      candidates.sort { ($0.bytes, $0.error) < ($1.bytes, $1.error) }
      var nextBytes: [Int] = [], nextErrors: [Double] = [], parent: [Int32] = [], pick: [Int32] = []
      for candidate in candidates {
        if let last = nextErrors.last, last <= candidate.error { continue }
        nextBytes.append(candidate.bytes); nextErrors.append(candidate.error)
        parent.append(candidate.parent); pick.append(candidate.option)
      }
      stored += nextBytes.count
      if stored > stateLimit || nextBytes.isEmpty { return nil }
      bytes = nextBytes; errors = nextErrors
      parents.append(parent); picks.append(pick)
    }
    // Lists are sorted by bytes with strictly falling error: the last entry has the least error,
    // the first one with error within the cap has the fewest bytes.
    let final: Int
    if minimiseBytes {
      guard let first = errors.firstIndex(where: { $0 <= errorCap + slack }) else { return nil }
      final = first
    } else {
      final = errors.count - 1
    }
    var choice = [Int](repeating: 0, count: count)
    var state = final
    for i in stride(from: count - 1, through: 0, by: -1) {
      choice[i] = Int(picks[i][state])
      state = Int(parents[i][state])
    }
    let result = totals(choice)
    return KnapsackSolution(choice: choice, bytes: result.bytes, error: result.error, exact: true)
  }
}

import Foundation
import QuantEngine

/// The autopilot's answer for a target.
public struct AutoSolution: Sendable {
  public var target: AutoTarget
  /// Option per knapsack item (pass to ``AutoPlanner/plan(of:)`` or ``AutoPlanner/assignment(of:)``).
  public var choice: [Int]
  public var point: AutoPoint
  public var plan: Plan
  /// The frontier point at or below the solution (the hull point it was refined from).
  public var hullPoint: Int
  /// True when the solution is proven optimal for the estimated errors.
  public var exact: Bool
}

extension AutoPlanner {
  /// The knapsack byte budget for a size or bpw target (nil for error targets).
  public func itemBudget(for target: AutoTarget) -> Int? {
    let nonQuantizable = nonQuantizableBytes.values.reduce(0, +)
    switch target {
    case let .fileBytes(bytes): return bytes - fixedBytes
    case let .percentOfInput(pct): return Int((Double(table.fileBytes) * pct / 100).rounded(.down)) - fixedBytes
    case let .bitsPerWeight(bpw):
      let bits = bpw * Double(table.quantizableElements)
      guard bits.isFinite, bits >= 0, bits < 7e19 else { return bits < 0 ? -1 : Int.max / 4 }
      return Int((bits / 8).rounded(.down)) + nonQuantizable
    case .maxError, .minSQNR, .minAccuracy: return nil
    }
  }

  /// The error bound for an error target.
  public func errorLimit(for target: AutoTarget) -> Double? {
    switch target {
    case let .maxError(error): return error
    case let .minSQNR(db): return table.totalSignal / pow(10, db / 10)
    default: return nil
    }
  }

  /// Least estimated error within a size/bpw target, or the smallest plan within an error target.
  /// - Throws: ``AutopilotError/unreachable(target:closest:)`` naming the closest reachable point.
  public func solve(_ target: AutoTarget, stateLimit: Int = 250_000) throws(AutopilotError) -> AutoSolution {
    if case .minAccuracy = target {
      throw .badConstraint("an accuracy target needs evaluation data (smallest(reachingAccuracy:session:))")
    }
    if case .minSQNR = target, !table.kind.isEnergy {
      throw .badConstraint("an SQNR target needs energy errors, not \(table.kind.label)")
    }
    let solution: KnapsackSolution?
    if let budget = itemBudget(for: target) {
      solution = problem.solve(budget: budget, frontier: frontier, stateLimit: stateLimit)
      if solution == nil { throw .unreachable(target: target.description, closest: "the smallest, " + point(0).summary) }
    } else if let limit = errorLimit(for: target) {
      solution = problem.solve(maxError: limit, frontier: frontier, stateLimit: stateLimit)
      if solution == nil {
        throw .unreachable(target: target.description, closest: "the most accurate, " + point(frontier.count - 1).summary)
      }
    } else {
      solution = nil
    }
    guard let solution else { throw .badConstraint("unsupported target") }
    let hull = frontier.lastPoint(withinBytes: solution.bytes) ?? 0
    return AutoSolution(
      target: target, choice: solution.choice, point: totals(of: solution.choice), plan: plan(of: solution.choice),
      hullPoint: hull, exact: solution.exact)
  }

  /// The solution for frontier point `k` as it stands (no refinement).
  public func solution(atPoint k: Int, target: AutoTarget) -> AutoSolution {
    let choice = frontier.choice(at: k)
    return AutoSolution(target: target, choice: choice, point: point(k), plan: plan(of: choice), hullPoint: k, exact: false)
  }

  /// Frontier indices spread evenly over the size range, always including the first and last
  /// and any `extra` ones — the rows a table of the frontier shows.
  public func sampledPoints(_ count: Int, including extra: [Int] = []) -> [Int] {
    let last = frontier.count - 1
    guard last > 0 else { return [0] }
    var picked = Set(extra.filter { (0...last).contains($0) })
    picked.insert(0); picked.insert(last)
    let low = Double(frontier.bytes[0]), high = Double(frontier.bytes[last])
    for i in 1..<max(2, count - 1) {
      let goal = low + (high - low) * Double(i) / Double(max(2, count - 1))
      if let k = frontier.lastPoint(withinBytes: Int(goal.rounded(.down))) { picked.insert(k) }
    }
    return picked.sorted()
  }
}

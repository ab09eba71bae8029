import Testing
@testable import Workflows

/// Deterministic pseudo-random numbers (no Foundation randomness in tests).
struct TestRandom {
  var state: UInt64
  mutating func next() -> UInt64 {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return state >> 33
  }
  mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
  mutating func unit() -> Double { Double(next() % 1_000_000) / 1_000_000 }
}

/// Random small knapsacks shaped like the autopilot's: per item, "keep" (largest, no error) and
/// smaller options with more error.
func randomProblem(_ random: inout TestRandom, items: Int, options: Int) -> KnapsackProblem {
  var list: [[KnapsackOption]] = []
  for _ in 0..<items {
    let size = random.int(100...1000)
    var item = [KnapsackOption(bytes: size, error: 0)]
    for _ in 0..<options {
      item.append(KnapsackOption(bytes: random.int(5...size), error: random.unit() * Double(random.int(1...50))))
    }
    list.append(item)
  }
  return KnapsackProblem(items: list)
}

/// Every choice's totals, enumerated.
func bruteForce(_ problem: KnapsackProblem) -> [(bytes: Int, error: Double)] {
  var results: [(bytes: Int, error: Double)] = [(0, 0)]
  for item in problem.items {
    results = results.flatMap { partial in item.map { (partial.bytes + $0.bytes, partial.error + $0.error) } }
  }
  return results
}

@Suite struct AutopilotSolverTests {
  @Test("budget solve matches brute force on small instances")
  func budgetMatchesBruteForce() throws {
    var random = TestRandom(state: 7)
    for trial in 0..<60 {
      let problem = randomProblem(&random, items: random.int(1...8), options: random.int(1...3))
      let frontier = KnapsackFrontier(problem)
      let all = bruteForce(problem)
      let low = problem.minimumBytes, high = all.map(\.bytes).max() ?? 0
      for step in 0...12 {
        let budget = low + (high - low) * step / 12 + (step % 3 == 1 ? -1 : 0)
        let best = all.filter { $0.bytes <= budget }.map(\.error).min()
        let solution = problem.solve(budget: budget, frontier: frontier)
        guard let best else {
          #expect(solution == nil, "trial \(trial) budget \(budget): nothing fits")
          continue
        }
        let s = try #require(solution, "trial \(trial) budget \(budget)")
        #expect(s.exact)
        #expect(s.bytes <= budget)
        #expect(abs(s.error - best) <= 1e-9 * max(1, best), "trial \(trial) budget \(budget): \(s.error) vs \(best)")
        let totals = problem.totals(s.choice)
        #expect(totals.bytes == s.bytes && totals.error == s.error)
      }
    }
  }

  @Test("error-bound solve finds the fewest bytes, as brute force does")
  func maxErrorMatchesBruteForce() throws {
    var random = TestRandom(state: 11)
    for trial in 0..<40 {
      let problem = randomProblem(&random, items: random.int(1...8), options: random.int(1...3))
      let frontier = KnapsackFrontier(problem)
      let all = bruteForce(problem)
      let worst = all.map(\.error).max() ?? 0
      for step in 0...8 {
        let limit = worst * Double(step) / 8
        let best = all.filter { $0.error <= limit }.map(\.bytes).min()
        let s = try #require(problem.solve(maxError: limit, frontier: frontier), "trial \(trial)")
        #expect(s.error <= limit * (1 + 1e-9) + 1e-12)
        #expect(s.bytes == best, "trial \(trial) limit \(limit)")
      }
    }
  }

  @Test("every frontier point is optimal for its own size, sizes rise and errors fall")
  func frontierPointsAreOptimal() {
    var random = TestRandom(state: 3)
    for _ in 0..<30 {
      let problem = randomProblem(&random, items: random.int(2...7), options: 3)
      let frontier = KnapsackFrontier(problem)
      let all = bruteForce(problem)
      for k in 0..<frontier.count {
        let best = all.filter { $0.bytes <= frontier.bytes[k] }.map(\.error).min() ?? .infinity
        #expect(abs(frontier.errors[k] - best) <= 1e-9 * max(1, best))
        #expect(problem.totals(frontier.choice(at: k)).bytes == frontier.bytes[k])
        if k > 0 {
          #expect(frontier.bytes[k] > frontier.bytes[k - 1])
          #expect(frontier.errors[k] < frontier.errors[k - 1])
        }
      }
      #expect(frontier.bytes.first == problem.minimumBytes)
      #expect(abs((frontier.errors.last ?? 0) - problem.minimumError) < 1e-9)
    }
  }

  @Test("without the exact search the answer fits, is no worse than the hull point, and is flagged")
  func greedyFallbackGuarantee() throws {
    var random = TestRandom(state: 5)
    for _ in 0..<30 {
      let problem = randomProblem(&random, items: 8, options: 3)
      let frontier = KnapsackFrontier(problem)
      let all = bruteForce(problem)
      let budget = (problem.minimumBytes + (all.map(\.bytes).max() ?? 0)) / 2
      let s = try #require(problem.solve(budget: budget, frontier: frontier, stateLimit: 0))
      let hull = try #require(frontier.lastPoint(withinBytes: budget))
      let best = all.filter { $0.bytes <= budget }.map(\.error).min() ?? 0
      #expect(!s.exact)
      #expect(s.bytes <= budget)
      #expect(s.error <= frontier.errors[hull] + 1e-12)
      #expect(s.error >= best - 1e-9)
    }
  }

  @Test("dominated and duplicate options never become hull steps")
  func hullSkipsDominated() {
    let options = [
      KnapsackOption(bytes: 100, error: 0), KnapsackOption(bytes: 50, error: 5), KnapsackOption(bytes: 60, error: 6),
      KnapsackOption(bytes: 50, error: 7), KnapsackOption(bytes: 90, error: 4.9), KnapsackOption(bytes: 10, error: 40),
    ]
    #expect(KnapsackProblem.paretoOptions(options) == [5, 1, 4, 0])
    #expect(KnapsackProblem.hullOptions(options) == [5, 1, 0])
  }
}

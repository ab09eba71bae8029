import Dispatch
import Foundation
import QuantEngine
import TensorCore
import Workflows

/// `qscope-bench frontier [--tensors N] [--repeat R] [--model FILE]`
///
/// Times the autopilot's solver on cached per-tensor errors: N synthetic tensors × the nine GGUF
/// candidates (+ keep) with bpw-shaped sizes and errors, then the whole frontier (AutoPlanner
/// init: per-tensor hulls + Lagrangian sweep) and exact/refined solves for three bpw targets.
/// With --model, also times the data-free sensitivity table of that file and, when it has
/// evaluation data (--data or MODEL.eval.npz), measured sensitivity for five TFLite schemes.
enum FrontierBenchmark {
  static let schemes: [(Scheme, Double)] = [
    (.f16, 16), (.q8_0, 8.5), (.q6_k, 6.5625), (.q5_k, 5.5), (.q5_0, 5.5), (.q4_k, 4.5), (.q4_0, 4.5), (.q3_k, 3.4375),
    (.q2_k, 2.625),
  ]

  static func run(_ arguments: [String]) -> Int32 {
    let options = BenchOptions(arguments, flags: ["tensors", "repeat", "model", "data"])
    if let error = options.error { return fail(error) }
    let count = max(1, options.int("tensors") ?? 1000)
    let repeats = max(1, options.int("repeat") ?? 5)
    let table = synthetic(count)
    print("qscope-bench frontier: \(count) synthetic tensors × \(schemes.count) schemes + keep, best of \(repeats)")

    var planner: AutoPlanner?
    let build = best(repeats) { planner = try? AutoPlanner(table: table) }
    guard let planner else { return fail("planner could not be built") }
    print(String(format: "frontier (hulls + sweep): %.1f ms, %d points", build * 1000, planner.pointCount))
    for bpw in [3.5, 4.5, 6.0] {
      var solution: AutoSolution?
      let time = best(repeats) { solution = try? planner.solve(.bitsPerWeight(bpw)) }
      guard let solution else { return fail("no solution for \(bpw) bpw") }
      print(String(
        format: "solve %.1f bpw: %.1f ms → %.3f bpw, SQNR %.2f dB (%@)", bpw, time * 1000, solution.point.bitsPerWeight,
        solution.point.sqnrDB ?? .nan, solution.exact ? "exact" : "refined hull point"))
    }
    if let budget = planner.itemBudget(for: .bitsPerWeight(4.5)) {
      let greedy = best(repeats) { _ = planner.problem.solve(budget: budget, frontier: planner.frontier, stateLimit: 0) }
      print(String(format: "  of which hull point + greedy fill: %.1f ms", greedy * 1000))
    }
    if let path = options.values["model"] {
      do {
        let (model, format) = try ModelOpener.open(path: path)
        var rows = 0
        let time = best(repeats) {
          rows = (try? Sensitivity.dataFree(model, format: format))?.tensors.count ?? 0
        }
        print(String(format: "data-free sensitivity of %@: %.1f ms for %d tensors", path, time * 1000, rows))
        if let session = try? EvaluationSession.open(path: path, dataPath: options.values["data"]) {
          let five: [Scheme] = [.f16, .int8, .int8Tensor, .int8Asym, .int4]
          var measured = 0
          let time = best(repeats) {
            measured = (try? Sensitivity.measured(session, options: .init(schemes: five)))?.tensors.reduce(0) { $0 + $1.candidates.count - 1 } ?? 0
          }
          print(String(format: "measured sensitivity (KL, %d samples): %.1f ms for %d tensor×scheme runs", session.data.samples, time * 1000, measured))
        }
      } catch {
        return fail("\(error)")
      }
    }
    return 0
  }

  /// Tensors from 4 K to 4 M weights; error ≈ signal · 2^(−2·bits) with a per-tensor and
  /// per-scheme spread, so hulls differ between tensors as they do in real models.
  static func synthetic(_ count: Int) -> SensitivityTable {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    func unit() -> Double {
      state ^= state << 13; state ^= state >> 7; state ^= state << 17
      return Double(state >> 11) / Double(1 << 53)
    }
    var rows: [TensorSensitivity] = []
    var total = 0
    for i in 0..<count {
      let elements = 256 * Int(16 * pow(2, 10 * unit()))
      let signal = Double(elements) * (0.5 + unit())
      let difficulty = pow(2, 3 * unit())
      var candidates = [CandidateCost(scheme: nil, bytes: elements * 4, error: 0)]
      for (scheme, bits) in schemes {
        let error = signal * pow(2, -2 * bits) * difficulty * (0.7 + 0.6 * unit())
        candidates.append(CandidateCost(scheme: scheme, bytes: Int((Double(elements) * bits / 8).rounded(.up)), error: error))
      }
      rows.append(TensorSensitivity(
        tensorIndex: i, name: "blk.\(i / 7).t\(i % 7).weight", elements: elements, originalBytes: elements * 4,
        isQuantizable: true, signal: signal, candidates: candidates))
      total += elements * 4
    }
    return SensitivityTable(kind: .weightNoise, fileBytes: total + 4096, targetFormat: .gguf, tensors: rows)
  }

  /// Best wall time of `repeats` runs, in seconds.
  static func best(_ repeats: Int, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
      let start = DispatchTime.now().uptimeNanoseconds
      body()
      best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return best
  }
}

import Evaluation
import Foundation
import ModelFormats
import QuantEngine
import TensorCore

extension Sensitivity {
  /// Measured sensitivity: for every quantizable tensor × candidate, quantize only that tensor and
  /// rerun the ops downstream of it on the session's data (float activations are cached), taking
  /// the output KL divergence from the float model as the error. Isolated-tensor numbers: they
  /// ignore interactions, which the final plan's full evaluation checks. A weight the writer
  /// quantizes only with others (an LSTM's) is measured with its group, each member taking an
  /// equal share (``EvaluationSession/isolatedKL(tensorIndex:scheme:token:)``), once per group.
  public static func measured(
    _ session: EvaluationSession, options: Options = Options()
  ) throws(WorkflowError) -> SensitivityTable {
    let model = session.model
    let target = options.targetFormat ?? session.format
    let schemes = options.schemes ?? AutoCandidates.defaultSchemes(for: target.kind)
    let indices = model.tensors.indices.filter { model.tensors[$0].isQuantizable }
    var rows: [TensorSensitivity] = []
    // Group shares by (first member, scheme): one evaluation per group and candidate.
    var shares: [String: Double] = [:]
    for (done, index) in indices.enumerated() {
      if options.cancellation?.isCancelled == true { throw .cancelled }
      let tensor = model.tensors[index]
      var row = entry(for: index, in: model, format: target, schemes: schemes, importance: nil)
      var measured = [row.candidates[0]]
      for candidate in row.candidates.dropFirst() {
        guard let scheme = candidate.scheme else { continue }
        do throws(EvaluationError) {
          let members = session.measuredTogether(index)
          let key = "\(members.first ?? index) \(scheme.rawValue)"
          let kl: Double
          if members.count > 1, let known = shares[key] {
            kl = known
          } else {
            kl = try session.isolatedKL(tensorIndex: index, scheme: scheme, token: options.cancellation)
            if members.count > 1 { shares[key] = kl }
          }
          guard kl.isFinite else {
            row.excluded.append((scheme, "measured KL is not finite"))
            continue
          }
          measured.append(CandidateCost(scheme: scheme, bytes: candidate.bytes, error: kl))
        } catch {
          if case .cancelled = error { throw .cancelled }
          row.excluded.append((scheme, error.description))
        }
      }
      row.candidates = measured
      rows.append(row)
      options.progress?(ProgressUpdate(completed: done + 1, total: indices.count, item: tensor.name))
    }
    return SensitivityTable(kind: .measuredKL, fileBytes: model.fileBytes, targetFormat: target.kind, tensors: rows)
  }
}

extension AutoPlanner {
  /// Smallest frontier point whose full evaluation reaches `accuracy` (a fraction): binary search
  /// over the frontier (accuracy rises with size along it, up to noise), then a walk upwards until
  /// a point verifies. Returns the point and its report.
  /// - Throws: ``AutopilotError/unreachable(target:closest:)`` when the float model itself is below
  ///   the target.
  public func smallest(
    reachingAccuracy accuracy: Double, session: EvaluationSession, token: CancellationToken? = nil
  ) throws(WorkflowError) -> (point: Int, report: EvaluationReport) {
    func evaluate(_ k: Int) throws(WorkflowError) -> EvaluationReport {
      do { return try session.compute(target: schemes(atPoint: k, session: session), token: token, commit: false) } catch {
        throw .badOption("\(session.model.path): evaluation failed: \(error)")
      }
    }
    let reference = session.floatAccuracy ?? 1
    let target = "accuracy \(Format.number(accuracy * 100))%"
    if reference < accuracy {
      throw .badOption("\(session.model.path): \(AutopilotError.unreachable(target: target, closest: "the float model itself, accuracy \(Format.number(reference * 100))%"))")
    }
    var low = 0, high = frontier.count - 1
    var reports: [Int: EvaluationReport] = [:]
    while low < high {
      let mid = (low + high) / 2
      let report = try evaluate(mid)
      reports[mid] = report
      if report.displayAccuracy >= accuracy { high = mid } else { low = mid + 1 }
    }
    var last: EvaluationReport?
    for k in low..<frontier.count {
      let report: EvaluationReport
      if let cached = reports[k] { report = cached } else { report = try evaluate(k) }
      if report.displayAccuracy >= accuracy { return (k, report) }
      last = report
    }
    let final = frontier.count - 1
    let reached = last.map { ", accuracy \(Format.number($0.displayAccuracy * 100))%" } ?? ""
    throw .badOption("\(session.model.path): \(AutopilotError.unreachable(target: target, closest: "the largest, \(point(final).summary)\(reached)"))")
  }

  /// Model tensor index → scheme at frontier point `k` (changed tensors only).
  func schemes(atPoint k: Int, session: EvaluationSession) -> [Int: Scheme] {
    var result: [Int: Scheme] = [:]
    for (name, scheme) in assignment(atPoint: k) {
      if let scheme, let index = session.model.tensorIndex(named: name) { result[index] = scheme }
    }
    return result
  }

  /// Full evaluation of a choice (e.g. a solved plan): accuracy and KL of the whole plan.
  public func evaluate(_ choice: [Int], session: EvaluationSession, token: CancellationToken? = nil) throws(EvaluationError) -> EvaluationReport {
    var target: [Int: Scheme] = [:]
    for (name, scheme) in assignment(of: choice) {
      if let scheme, let index = session.model.tensorIndex(named: name) { target[index] = scheme }
    }
    return try session.compute(target: target, token: token, commit: false)
  }
}

extension AutoPlanner {
  /// The plan of a uniform scheme as the planner sizes it (``uniform(_:)``): the scheme on every
  /// quantizable tensor where it is a candidate.
  public func uniformPlan(_ scheme: Scheme) -> Plan {
    var plan = Plan()
    for row in table.tensors where row.isQuantizable && row.cost(of: scheme) != nil { plan.tensors[row.name] = scheme }
    return plan
  }

  /// With measured data, isolated-tensor errors can miss interactions (and lucky roundings), so
  /// for a size/bpw target the solved plan is compared by full evaluation with every uniform
  /// scheme that meets the same target (when no pins constrain the choice, and only uniform plans
  /// that give every group one scheme); the most accurate wins, ties going to lower KL. Returns
  /// the winner's plan, totals, report and label.
  public func bestMeasured(
    _ solution: AutoSolution, session: EvaluationSession, fits: (AutoPoint) -> Bool
  ) throws(EvaluationError) -> (plan: Plan, point: AutoPoint, report: EvaluationReport, label: String) {
    var best = (plan: solution.plan, point: solution.point, report: try evaluate(solution.choice, session: session), label: "solver")
    guard constraints.pinned.isEmpty else { return best }
    for scheme in table.schemes {
      let point = uniform(scheme)
      guard fits(point) else { continue }
      let plan = uniformPlan(scheme)
      // A member without the candidate would keep its type and split its group.
      guard constraints.groups.allSatisfy({ Set($0.map { plan.tensors[$0] }).count == 1 }) else { continue }
      var target: [Int: Scheme] = [:]
      for (name, s) in plan.tensors { if let i = session.model.tensorIndex(named: name) { target[i] = s } }
      let report = try session.compute(target: target, token: nil, commit: false)
      let better = report.displayAccuracy > best.report.displayAccuracy
        || (report.displayAccuracy == best.report.displayAccuracy && report.quantized.klDivergence < best.report.quantized.klDivergence)
      if better { best = (plan, point, report, "uniform \(scheme.rawValue)") }
    }
    return best
  }
}

/// Why evaluation could not run, phrased as one line for the user.
public enum EvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The data file is malformed or holds something we cannot use.
  case badData(file: String, reason: String)
  /// The model's graph uses an op the interpreter does not run.
  case unsupportedOp(op: String, index: Int)
  /// An op's inputs do not fit what it computes (shapes, missing constants).
  case badGraph(op: String, index: Int, reason: String)
  /// The model has no graph to run (weight-only formats).
  case noGraph(file: String, reason: String)
  case cancelled

  public var description: String {
    switch self {
    case let .badData(file, reason): return "\(file): \(reason)"
    case let .unsupportedOp(op, index): return "the model uses op \(op) (#\(index)), which the evaluator does not run yet"
    case let .badGraph(op, index, reason): return "cannot run \(op) (#\(index)): \(reason)"
    case let .noGraph(file, reason): return "\(file): \(reason)"
    case .cancelled: return "cancelled"
    }
  }
}

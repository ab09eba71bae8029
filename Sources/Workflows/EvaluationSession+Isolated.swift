import Evaluation
import Foundation
import QuantEngine
import TensorCore

extension EvaluationSession {
  /// Mean KL(float ‖ quantized) of the model's outputs with only tensor `tensorIndex` quantized
  /// as `scheme` and every other weight as stored: the measured sensitivity of that one choice
  /// (the number ``Sensitivity/measured(_:options:)`` records per candidate). Does not change the
  /// session's current state; safe to call from any thread while updates run.
  /// - Throws: ``EvaluationError/cancelled`` when `token` is cancelled meanwhile.
  ///
  /// A weight the writer quantizes only together with others (an LSTM's) changes nothing alone,
  /// so its whole group is quantized and each member gets an equal share of the KL: the shares
  /// of a group add up to what choosing the scheme for the group costs.
  public func isolatedKL(tensorIndex: Int, scheme: Scheme, token: CancellationToken? = nil) throws(EvaluationError) -> Double {
    let members = measuredTogether(tensorIndex)
    let target = Dictionary(members.map { ($0, scheme) }, uniquingKeysWith: { a, _ in a })
    let report = try compute(target: target, token: token, commit: false)
    if token?.isCancelled == true { throw .cancelled }
    return max(0, report.quantized.klDivergence) / Double(members.count)
  }

  /// The tensors quantized to measure `tensorIndex`: its joint group (when every member is a
  /// model tensor), else the tensor alone.
  public func measuredTogether(_ tensorIndex: Int) -> [Int] {
    let group = jointGroups.first { $0.unplannable == 0 && $0.members.count > 1 && $0.members.contains(tensorIndex) }
    return group?.members ?? [tensorIndex]
  }
}

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
  public func isolatedKL(tensorIndex: Int, scheme: Scheme, token: CancellationToken? = nil) throws(EvaluationError) -> Double {
    let report = try compute(target: [tensorIndex: scheme], token: token, commit: false)
    if token?.isCancelled == true { throw .cancelled }
    return max(0, report.quantized.klDivergence)
  }
}

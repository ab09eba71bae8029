import Foundation
import ModelFormats
import TensorCore
import Workflows

extension InspectorRuntime {
  /// Computes one tensor's sensitivity at one scheme off the UI thread and posts
  /// `.sensitivityValueReady`: the importance-weighted weight error, or the output KL measured
  /// on the evaluation data with only that tensor quantized.
  func computeSensitivityValue(_ key: SensitivityKey) {
    if let existing = sensitivityValueJobs[key], !existing.operation.isFinished { return }
    let token = CancellationToken()
    let model = service.model
    let format = self.format
    let vector = model.tensors.indices.contains(key.tensor) ? importance[model.tensors[key.tensor].name] : nil
    let session = evaluation
    let operation = job {
      .sensitivityValueReady(key, Self.sensitivityValue(key, model: model, format: format, importance: vector, session: session, token: token))
    } cancelled: { .sensitivityValueReady(key, .failure(.cancelled)) }
    sensitivityValueJobs[key] = (operation, token)
    sensitivityValueQueue.addOperation(operation)
  }

  /// One sensitivity value, computed synchronously (the runtime runs it on a background queue).
  public static func sensitivityValue(
    _ key: SensitivityKey, model: Model, format: any ModelFormat.Type, importance: [Float]?, session: EvaluationSession?,
    token: CancellationToken
  ) -> Result<Double, AnalysisFailure> {
    guard model.tensors.indices.contains(key.tensor) else { return .failure(.failed("no tensor #\(key.tensor)")) }
    if token.isCancelled { return .failure(.cancelled) }
    switch key.measure {
    case .kl:
      guard let session else { return .failure(.failed("no evaluation data")) }
      do {
        return .success(try session.isolatedKL(tensorIndex: key.tensor, scheme: key.scheme, token: token))
      } catch {
        if case .cancelled = error { return .failure(.cancelled) }
        return .failure(.failed(error.description))
      }
    case .weightedMSE, .mse:
      let entry = Sensitivity.entry(
        for: key.tensor, in: model, format: format, schemes: [key.scheme], importance: key.measure == .weightedMSE ? importance : nil)
      if token.isCancelled { return .failure(.cancelled) }
      guard let cost = entry.cost(of: key.scheme) else {
        return .failure(.failed(entry.excluded.first?.reason ?? "\(key.scheme.rawValue) does not apply"))
      }
      return .success(entry.elements > 0 ? cost.error / Double(entry.elements) : 0)
    }
  }
}

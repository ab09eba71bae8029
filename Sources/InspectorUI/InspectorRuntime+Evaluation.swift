import Foundation
import Workflows

extension InspectorRuntime {
  /// Opens the evaluation session off the UI thread (running the float model once) and posts
  /// `.evaluationOpened`. `dataPath` nil picks up MODEL.eval.npz beside the model.
  public func openEvaluation(modelPath: String, dataPath: String?) {
    beginWork()
    DispatchQueue.global(qos: .userInitiated).async { [self] in
      defer { endWork() }
      do {
        let session = try EvaluationSession.open(path: modelPath, dataPath: dataPath)
        setEvaluation(session)
        if let graph = session.model.graph { setConsumers(WeightConsumers.ops(in: graph)) }
        post(.evaluationOpened(.success(session.floatAccuracy)))
      } catch {
        post(.evaluationOpened(.failure(.failed(String(describing: error)))))
      }
    }
  }

  /// Starts evaluating `plan`; the session cancels the evaluation still running for an older plan.
  func evaluate(_ plan: Plan) {
    guard let session = evaluation else { return }
    let consumers = self.consumers
    beginWork()
    session.update(plan: plan) { [self] result in
      defer { endWork() }
      switch result {
      case .success(let report): post(.evaluationReady(plan: plan, .success(LiveAccuracy(report, consumers: consumers))))
      case .failure(.cancelled): post(.evaluationReady(plan: plan, .failure(.cancelled)))
      case .failure(let error): post(.evaluationReady(plan: plan, .failure(.failed(String(describing: error)))))
      }
    }
  }
}

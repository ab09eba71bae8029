import Foundation
import TensorCore
import Workflows

extension InspectorRuntime {
  /// Measures the data-free sensitivity table (importance-weighted with --imatrix, or by the eval
  /// data's activations) on a background
  /// queue and posts `.sensitivityReady`.
  /// A newer request cancels the older one.
  func computeSensitivity() {
    sensitivityToken?.cancel()
    let token = CancellationToken()
    sensitivityToken = token
    let model = service.model
    let format = self.format
    let target = outputFormat
    let importance = self.importance
    let session = evaluation
    // Leave a core for the input thread and the scheme jobs.
    let threads = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    beginWork()
    DispatchQueue.global(qos: .userInitiated).async { [self] in
      defer { endWork() }
      do {
        var options = Sensitivity.Options(importance: importance, threads: threads, cancellation: token)
        let table: SensitivityTable
        if target == model.format {
          // Without an imatrix, the eval data's per-channel ⟨a²⟩ weights the errors the same way.
          if importance.isEmpty, let session { options.weight(by: session.activationImportance()) }
          table = try Sensitivity.dataFree(model, format: format, options: options)
        } else {
          // Another output format (keras → tflite): its candidates are priced on the converted
          // model, then mapped back to the list's tensors by name.
          let converted = try converted(to: target)
          table = try Sensitivity.dataFree(converted.model, format: converted.format, options: options).mapped(to: model)
        }
        post(.sensitivityReady(.success(table)))
      } catch {
        post(.sensitivityReady(.failure(token.isCancelled ? .cancelled : .failed(String(describing: error)))))
      }
    }
  }
}

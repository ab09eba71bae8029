import Foundation
import TensorCore
import Workflows

extension InspectorRuntime {
  /// Measures the data-free sensitivity table (importance-weighted with --imatrix) on a background
  /// queue and posts `.sensitivityReady`.
  /// A newer request cancels the older one.
  func computeSensitivity() {
    sensitivityToken?.cancel()
    let token = CancellationToken()
    sensitivityToken = token
    let model = service.model
    let format = self.format
    let importance = self.importance
    // Leave a core for the input thread and the scheme jobs.
    let threads = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    beginWork()
    DispatchQueue.global(qos: .userInitiated).async { [self] in
      defer { endWork() }
      do {
        let table = try Sensitivity.dataFree(
          model, format: format, options: Sensitivity.Options(importance: importance, threads: threads, cancellation: token))
        post(.sensitivityReady(.success(table)))
      } catch {
        post(.sensitivityReady(.failure(token.isCancelled ? .cancelled : .failed(String(describing: error)))))
      }
    }
  }
}

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
          table = Self.mapped(try Sensitivity.dataFree(converted.model, format: converted.format, options: options), to: model)
        }
        post(.sensitivityReady(.success(table)))
      } catch {
        post(.sensitivityReady(.failure(token.isCancelled ? .cancelled : .failed(String(describing: error)))))
      }
    }
  }

  /// `table` with each entry's tensor index that of the same-named tensor of `model`; entries
  /// `model` has no tensor for are dropped. Entries sharing a name (the four gate matrices a
  /// Keras LSTM kernel becomes) are one entry: sizes, signal and errors summed, the candidates
  /// all of them have.
  static func mapped(_ table: SensitivityTable, to model: Model) -> SensitivityTable {
    var result = table
    var order: [Int] = []
    var byIndex: [Int: TensorSensitivity] = [:]
    for entry in table.tensors {
      guard let index = model.tensorIndex(named: entry.name) else { continue }
      var copy = entry
      copy.tensorIndex = index
      if let seen = byIndex[index] {
        byIndex[index] = combined(seen, copy)
      } else {
        byIndex[index] = copy
        order.append(index)
      }
    }
    result.tensors = order.compactMap { byIndex[$0] }
    return result
  }

  /// Two parts of one tensor as one entry.
  static func combined(_ a: TensorSensitivity, _ b: TensorSensitivity) -> TensorSensitivity {
    var result = a
    result.elements = a.elements + b.elements
    result.originalBytes = a.originalBytes + b.originalBytes
    result.signal = a.signal + b.signal
    result.isQuantizable = a.isQuantizable && b.isQuantizable
    result.candidates = a.candidates.compactMap { cost in
      guard let other = b.cost(of: cost.scheme) else { return nil }
      return CandidateCost(scheme: cost.scheme, bytes: cost.bytes + other.bytes, error: cost.error + other.error)
    }
    let kept = Set(result.candidates.map(\.scheme))
    var excluded = a.excluded
    for e in b.excluded where !excluded.contains(where: { $0.scheme == e.scheme }) { excluded.append(e) }
    for case let scheme? in (a.candidates + b.candidates).map(\.scheme)
    where !kept.contains(scheme) && !excluded.contains(where: { $0.scheme == scheme }) {
      excluded.append((scheme, "not storable for every part of the tensor"))
    }
    result.excluded = excluded
    return result
  }
}

import Dispatch
import Foundation
import ModelFormats
import QuantEngine
import Synchronization
import TensorCore

/// Computes statistics, histograms and a scheme's error for every tensor of a model.
public enum Inspector {
  public struct Options: Sendable {
    public var scheme: Scheme?
    public var bins: Int?
    public var threads: Int
    public var progress: (@Sendable (ProgressUpdate) -> Void)?
    public var cancellation: CancellationToken?

    public init(
      scheme: Scheme? = nil, bins: Int? = nil, threads: Int = Inspector.defaultThreads,
      progress: (@Sendable (ProgressUpdate) -> Void)? = nil, cancellation: CancellationToken? = nil
    ) {
      self.scheme = scheme; self.bins = bins; self.threads = threads
      self.progress = progress; self.cancellation = cancellation
    }
  }

  public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  /// Inspects every tensor. Tensors are spread over `threads` workers; the mapped pages of a
  /// finished tensor are released so memory stays bounded by the tensors being worked on.
  public static func inspect(_ model: Model, options: Options = Options()) throws(WorkflowError) -> InspectReport {
    let count = model.tensors.count
    let results = ResultSlots<TensorReport>(count: count)
    let next = Atomic<Int>(0)
    let done = Atomic<Int>(0)
    // Largest first, so one big tensor does not start last and leave the other core idle.
    let order = model.tensors.indices.sorted { model.tensors[$0].byteCount > model.tensors[$1].byteCount }
    let workers = max(1, min(options.threads, count))
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      while true {
        if options.cancellation?.isCancelled == true { return }
        let slot = next.add(1, ordering: .relaxed).oldValue
        guard slot < count else { return }
        let index = order[slot]
        let tensor = model.tensors[index]
        results.set(index, report(for: tensor, in: model, options: options))
        tensor.location.file.releasePages(offset: tensor.location.offset, count: tensor.location.byteCount)
        let finished = done.add(1, ordering: .relaxed).newValue
        options.progress?(ProgressUpdate(completed: finished, total: count, item: tensor.name))
      }
    }
    if options.cancellation?.isCancelled == true { throw .cancelled }
    var inspected = InspectReport(
      format: model.format, file: model.path, fileBytes: model.fileBytes, scheme: options.scheme,
      tensors: results.values(), metadata: model.metadata, notes: model.notes)
    inspected.layers = model.layers
    return inspected
  }

  /// Statistics and (optionally) the scheme's error for one tensor. Never throws: problems become
  /// notes so one odd tensor does not hide the rest of the model.
  public static func report(for tensor: ModelTensor, in model: Model, options: Options) -> TensorReport {
    var report = TensorReport(
      name: tensor.name, layer: tensor.layer, op: tensor.op, shape: tensor.shape, dtype: tensor.dtype,
      elements: tensor.elementCount, bytes: tensor.byteCount, isQuantizable: tensor.isQuantizable,
      note: tensor.note)
    do {
      try TensorValues.withValues(of: tensor, file: model.path) { values throws(WorkflowError) in
        let stats = Metrics.stats(values)
        report.stats = stats
        if let bins = options.bins { report.histogram = Metrics.histogram(values, bins: bins) }
        if let scheme = options.scheme, tensor.isQuantizable {
          report.quant = evaluate(scheme, values: values, tensor: tensor, stats: stats)
        }
      }
    } catch {
      report.note = error.description
    }
    return report
  }

  static func evaluate(_ scheme: Scheme, values: UnsafeBufferPointer<Float>, tensor: ModelTensor, stats: TensorStats) -> QuantReport {
    if stats.nonFinite > 0 {
      return QuantReport(scheme: scheme, metrics: nil, problem: "\(stats.nonFinite) NaN/Inf value(s); not quantizable")
    }
    do {
      let metrics = try SchemeAnalysis.evaluate(values, shape: tensor.shape, scheme: scheme, channelAxis: tensor.channelAxis)
      return QuantReport(scheme: scheme, metrics: metrics, problem: nil)
    } catch {
      return QuantReport(scheme: scheme, metrics: nil, problem: error.description)
    }
  }
}

/// Fixed slots that worker threads fill at distinct indices.
final class ResultSlots<Value>: @unchecked Sendable {
  // Each index is written by exactly one worker and read only after all workers finished.
  private var storage: [Value?]
  private let lock = Mutex<Void>(())

  init(count: Int) { storage = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ value: Value) {
    lock.withLock { _ in storage[index] = value }
  }

  func values() -> [Value] { lock.withLock { _ in storage.compactMap { $0 } } }
}

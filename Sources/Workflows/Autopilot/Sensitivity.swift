import Dispatch
import Foundation
import ModelFormats
import QuantEngine
import Synchronization
import TensorCore

/// Builds the ``SensitivityTable``: every candidate scheme measured on every tensor the autopilot
/// may change.
public enum Sensitivity {
  public struct Options: Sendable {
    /// Candidate schemes (nil: the target format's defaults).
    public var schemes: [Scheme]?
    /// Format the plan is for (nil: the input's). Other formats are measured, not stored.
    public var targetFormat: (any ModelFormat.Type)?
    /// Per tensor name: importance per input column (the last axis), e.g. an imatrix entry or
    /// per-channel ⟨a²⟩. Each vector is scaled to mean 1 so weighted and unweighted tensors
    /// stay on one scale; only the spread across columns changes the error.
    public var importance: [String: [Float]]
    /// Per tensor name: the axis its importance vector runs along when it is not the last
    /// (per-channel ⟨a²⟩ of a BATCH_MATMUL weight [K, N] runs along K).
    public var importanceAxes: [String: Int]
    /// Tensors to include besides the quantizable ones (pinned tensors, for instance).
    public var extraTensors: Set<String>
    public var threads: Int
    public var progress: (@Sendable (ProgressUpdate) -> Void)?
    public var cancellation: CancellationToken?

    public init(
      schemes: [Scheme]? = nil, targetFormat: (any ModelFormat.Type)? = nil, importance: [String: [Float]] = [:],
      importanceAxes: [String: Int] = [:], extraTensors: Set<String> = [], threads: Int = Inspector.defaultThreads,
      progress: (@Sendable (ProgressUpdate) -> Void)? = nil, cancellation: CancellationToken? = nil
    ) {
      self.schemes = schemes; self.targetFormat = targetFormat; self.importance = importance
      self.importanceAxes = importanceAxes
      self.extraTensors = extraTensors; self.threads = threads; self.progress = progress
      self.cancellation = cancellation
    }
  }

  /// The importance vectors of an imatrix that fit the model's tensors; misfits are reported.
  public static func importance(from matrix: ImportanceMatrix, model: Model) -> (vectors: [String: [Float]], problems: [String]) {
    var vectors: [String: [Float]] = [:]
    var problems: [String] = []
    for tensor in model.tensors {
      let (values, problem) = matrix.vector(for: tensor)
      if let values { vectors[tensor.name] = values }
      if let problem { problems.append(problem) }
    }
    return (vectors, problems)
  }

  /// Data-free sensitivity of every quantizable tensor (weight noise, importance-weighted when
  /// vectors are given). Tensors are measured on `threads` workers, largest first.
  public static func dataFree(_ model: Model, format: any ModelFormat.Type, options: Options = Options()) throws(WorkflowError) -> SensitivityTable {
    let target = options.targetFormat ?? format
    let schemes = options.schemes ?? AutoCandidates.defaultSchemes(for: target.kind)
    let indices = model.tensors.indices.filter {
      model.tensors[$0].isQuantizable || options.extraTensors.contains(model.tensors[$0].name)
    }
    let results = ResultSlots<TensorSensitivity>(count: indices.count)
    let next = Atomic<Int>(0)
    let done = Atomic<Int>(0)
    let order = indices.indices.sorted { model.tensors[indices[$0]].byteCount > model.tensors[indices[$1]].byteCount }
    DispatchQueue.concurrentPerform(iterations: max(1, min(options.threads, indices.count))) { _ in
      while true {
        if options.cancellation?.isCancelled == true { return }
        let slot = next.add(1, ordering: .relaxed).oldValue
        guard slot < order.count else { return }
        let position = order[slot]
        let tensor = model.tensors[indices[position]]
        results.set(
          position,
          entry(for: indices[position], in: model, format: target, schemes: schemes, importance: options.importance[tensor.name],
                importanceAxis: options.importanceAxes[tensor.name]))
        tensor.location.file.releasePages(offset: tensor.location.offset, count: tensor.location.byteCount)
        let finished = done.add(1, ordering: .relaxed).newValue
        options.progress?(ProgressUpdate(completed: finished, total: indices.count, item: tensor.name))
      }
    }
    if options.cancellation?.isCancelled == true { throw .cancelled }
    let kind: SensitivityKind = options.importance.isEmpty ? .weightNoise : .importanceWeighted
    return SensitivityTable(kind: kind, fileBytes: model.fileBytes, targetFormat: target.kind, tensors: results.values())
  }

  /// One tensor's row. Never throws: a tensor that cannot be read keeps only "keep", with the
  /// reason recorded, so one odd tensor does not stop the autopilot.
  public static func entry(
    for index: Int, in model: Model, format: any ModelFormat.Type, schemes: [Scheme], importance: [Float]?,
    importanceAxis: Int? = nil
  ) -> TensorSensitivity {
    let tensor = model.tensors[index]
    let (storable, excludedSchemes) = AutoCandidates.storable(schemes, tensor: tensor, in: model, format: format)
    var entryRow = TensorSensitivity(
      tensorIndex: index, name: tensor.name, elements: tensor.elementCount, originalBytes: tensor.byteCount,
      isQuantizable: tensor.isQuantizable, signal: 0,
      candidates: [CandidateCost(scheme: nil, bytes: tensor.byteCount, error: 0)], excluded: excludedSchemes)
    let axis = importanceAxis ?? (tensor.shape.count - 1)
    let weights = importance.flatMap { normalized($0, for: tensor, axis: axis) }
    let row = axis >= 0 && axis < tensor.shape.count ? tensor.shape[axis] : 1
    let stride = axis >= 0 && axis < tensor.shape.count ? tensor.shape[(axis + 1)...].reduce(1, *) : 1
    do {
      try TensorValues.withValues(of: tensor, file: model.path) { values throws(WorkflowError) in
        entryRow.signal = weightedEnergy(values, reconstruction: nil, weights: weights, row: row, stride: stride)
        for (scheme, bytes) in storable {
          do throws(QuantError) {
            let noise: Double
            if let weights {
              let kept = try SchemeAnalysis.evaluateKeeping(values, shape: tensor.shape, scheme: scheme, channelAxis: tensor.channelAxis)
              noise = kept.reconstructed.withUnsafeBufferPointer {
                weightedEnergy(values, reconstruction: $0, weights: weights, row: row, stride: stride)
              }
            } else {
              let metrics = try SchemeAnalysis.evaluate(values, shape: tensor.shape, scheme: scheme, channelAxis: tensor.channelAxis)
              noise = metrics.mse * Double(values.count)
            }
            guard noise.isFinite else {
              entryRow.excluded.append((scheme, "error is not finite"))
              continue
            }
            entryRow.candidates.append(CandidateCost(scheme: scheme, bytes: bytes, error: noise))
          } catch {
            entryRow.excluded.append((scheme, error.description))
          }
        }
      }
    } catch {
      entryRow.excluded += storable.map { ($0.scheme, error.description) }
    }
    return entryRow
  }

  /// The importance vector scaled to mean 1, if its length fits the tensor (one value per
  /// element of `axis` (default the last), or per last-axis element × leading expert).
  static func normalized(_ vector: [Float], for tensor: ModelTensor, axis: Int? = nil) -> [Float]? {
    let axis = axis ?? (tensor.shape.count - 1)
    guard axis >= 0, axis < tensor.shape.count else { return nil }
    let row = tensor.shape[axis]
    guard row > 0, !vector.isEmpty, vector.count % row == 0 else { return nil }
    let groups = vector.count / row
    guard groups == 1 || (axis == tensor.shape.count - 1 && tensor.shape.count == 3 && tensor.shape[0] == groups) else { return nil }
    let mean = vector.reduce(0.0) { $0 + Double($1) } / Double(vector.count)
    guard mean > 0, mean.isFinite else { return nil }
    return vector.map { Float(max(0, Double($0) / mean)) }
  }

  /// Σ_i w(i)·(x_i − x̂_i)², or Σ_i w(i)·x_i² without a reconstruction, in Double. The weight of
  /// element i is its input column's ((i / stride) mod row: the last axis for stride 1), per
  /// expert block for 3-D tensors; 1 without weights.
  static func weightedEnergy(
    _ x: UnsafeBufferPointer<Float>, reconstruction y: UnsafeBufferPointer<Float>?, weights: [Float]?, row: Int,
    stride: Int = 1
  ) -> Double {
    let count = y.map { min($0.count, x.count) } ?? x.count
    var total = 0.0
    var chunk: Float = 0
    guard let weights, row > 0, weights.count >= row else {
      for i in 0..<count {
        let d = y.map { x[i] - $0[i] } ?? x[i]
        chunk += d * d
        if i & 1023 == 1023 { total += Double(chunk); chunk = 0 }
      }
      return total + Double(chunk)
    }
    let experts = weights.count / row
    let block = max(1, count / max(1, experts))
    weights.withUnsafeBufferPointer { w in
      for i in 0..<count {
        let d = y.map { x[i] - $0[i] } ?? x[i]
        let expert = experts > 1 ? min(i / block, experts - 1) : 0
        chunk += w[expert * row + (stride > 1 ? (i / stride) % row : i % row)] * d * d
        if i & 1023 == 1023 { total += Double(chunk); chunk = 0 }
      }
    }
    return total + Double(chunk)
  }
}

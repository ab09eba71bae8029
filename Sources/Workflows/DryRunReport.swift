import QuantEngine
import TensorCore

/// The text `quantize --dry-run` prints: each tensor's target and size, then totals.
public struct DryRunReport: Sendable {
  public let job: QuantizeJob
  public init(job: QuantizeJob) { self.job = job }

  public func text() -> String {
    let rows = job.assignments.map { a -> [String] in
      let tensor = job.model.tensors[a.tensorIndex]
      let target = a.encoding != nil ? (a.scheme?.rawValue ?? "?") : (a.problem != nil ? "keep (\(a.scheme?.rawValue ?? "?") n/a)" : "keep")
      return [a.tensorName, Shape.describe(tensor.shape), tensor.dtype.rawValue, target,
              Format.bytes(a.originalBytes), Format.bytes(a.storedBytes)]
    }
    var out = TextTable.render(header: ["tensor", "shape", "dtype", "target", "bytes", "new bytes"], rows: rows, rightAligned: [4, 5])
    let original = job.assignments.reduce(0) { $0 + $1.originalBytes }
    let stored = job.assignments.reduce(0) { $0 + $1.storedBytes }
    let weights = job.changed.reduce(0) { $0 + job.model.tensors[$1.tensorIndex].elementCount }
    let changedBytes = job.changed.reduce(0) { $0 + $1.storedBytes }
    let bpw = weights > 0 ? Double(changedBytes * 8) / Double(weights) : 0
    out += "total: \(job.changed.count) of \(job.assignments.count) tensors change; tensor data \(Format.bytes(original)) → \(Format.bytes(stored))"
    out += "; file ≈ \(Format.bytes(job.model.fileBytes)) → \(Format.bytes(job.estimatedFileBytes))"
    if weights > 0 { out += "; \(Format.number(bpw, digits: 4)) bits per quantized weight" }
    return out + "\n"
  }
}

import ModelFormats
import QuantEngine
import TensorCore

/// Finds a tensor's importance vector in an importance matrix, the way llama-quantize matches
/// them (by tensor name; the length must be row length × experts).
public enum ImportanceLookup {
  /// The vector for `tensor`, nil when the matrix has no entry for it. Throws when the entry does
  /// not fit the tensor (llama-quantize stops there too).
  public static func vector(in matrix: ImportanceMatrix, for tensor: ModelTensor, file: String) throws(WorkflowError) -> [Float]? {
    let (values, problem) = matrix.vector(for: tensor)
    if let problem { throw .quantization(file: file, tensor: tensor.name, reason: problem) }
    return values
  }

  /// For inspect: records the tensor's importance summary in `report` and returns the vector
  /// when it fits; a misfit becomes a note instead.
  static func values(in matrix: ImportanceMatrix, for tensor: ModelTensor, report: inout TensorReport) -> [Float]? {
    report.importance = matrix.summary(for: tensor.name)
    let (values, problem) = matrix.vector(for: tensor)
    if let problem { report.note = [report.note, problem].compactMap { $0 }.joined(separator: "; ") }
    return values
  }
}

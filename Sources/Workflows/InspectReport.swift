import QuantEngine
import TensorCore

/// What `inspect` found for one tensor.
public struct TensorReport: Sendable {
  public var name: String
  public var layer: String?
  public var op: String?
  public var shape: [Int]
  public var dtype: DType
  public var elements: Int
  public var bytes: Int
  public var isQuantizable: Bool
  public var stats: TensorStats?
  public var histogram: Histogram?
  public var quant: QuantReport?
  /// Why stats or the scheme's error are missing, or anything else worth a note.
  public var note: String?
}

/// The error and size of a scheme on one tensor, or why it cannot be applied.
public struct QuantReport: Sendable {
  public var scheme: Scheme
  public var metrics: ErrorMetrics?
  public var problem: String?
}

/// The whole `inspect` result.
public struct InspectReport: Sendable {
  public var format: ModelFormatKind
  public var file: String
  public var fileBytes: Int
  public var scheme: Scheme?
  public var tensors: [TensorReport]
  public var metadata: [MetadataEntry]
  public var notes: [String]
  /// The model's layers (or ops, or blocks) in model order, as the format defines them.
  public var layers: [ModelLayer] = []

  public var totalElements: Int { tensors.reduce(0) { $0 &+ $1.elements } }
  public var totalBytes: Int { tensors.reduce(0) { $0 &+ $1.bytes } }
  /// Tensor bytes after applying the scheme to the quantizable tensors it fits.
  public var quantizedBytes: Int {
    tensors.reduce(0) { total, tensor in total &+ (tensor.quant?.metrics?.storedBytes ?? tensor.bytes) }
  }
}

import TensorCore

/// What a writer is asked to do with one tensor.
public struct TensorWriteRequest: Sendable {
  /// Index into the model's tensors.
  public var tensorIndex: Int
  /// The encoding to store; the tensor is copied unchanged when the request is absent.
  public var encoding: QuantEncoding
  public init(tensorIndex: Int, encoding: QuantEncoding) {
    self.tensorIndex = tensorIndex; self.encoding = encoding
  }
}

/// Produces the quantized values of a tensor on demand, so writers can stream one tensor at a time.
public typealias QuantizedDataProvider = @Sendable (_ tensor: ModelTensor, _ encoding: QuantEncoding) throws -> QuantizedData

/// Whether a format can store an encoding for a tensor, and if not, why.
public enum StoreDecision: Equatable, Sendable {
  case storable
  case notStorable(reason: String)
  public var isStorable: Bool { self == .storable }
}

/// Where a GGUF output is split into shards (gguf-split's `--split-max-tensors` / `--split-max-size`).
public enum SplitLimit: Sendable, Equatable {
  /// At most this many tensors per shard.
  case tensors(Int)
  /// At most this many bytes of (aligned) tensor data per shard; a larger tensor gets a shard alone.
  case bytes(Int)
}

/// Options shared by format writers.
public struct WriteOptions: Sendable {
  /// Replace an existing output file.
  public var overwrite: Bool
  /// Called with progress as tensors are written.
  public var progress: (@Sendable (ProgressUpdate) -> Void)?
  public var cancellation: CancellationToken?
  /// Test hook for fault injection: fail after this many bytes.
  public var injectedFailureAfterBytes: Int?
  /// The preset the plan came from (GGUF records it as general.file_type).
  public var presetName: String?
  /// An importance matrix used for the plan (GGUF records its provenance in the metadata).
  public var importanceMatrixPath: String?
  /// GGUF: write a split input as the same shards (llama-quantize `--keep-split`) instead of one file.
  public var keepSplit = false
  /// GGUF: split the output into shards by tensor count or data size (gguf-split's limits).
  public var splitLimit: SplitLimit?

  public init(
    overwrite: Bool = false, progress: (@Sendable (ProgressUpdate) -> Void)? = nil,
    cancellation: CancellationToken? = nil, injectedFailureAfterBytes: Int? = nil
  ) {
    self.overwrite = overwrite; self.progress = progress; self.cancellation = cancellation
    self.injectedFailureAfterBytes = injectedFailureAfterBytes
  }
}

/// One model file format: a cheap probe, a reader, and (where the format has one) a writer.
public protocol ModelFormat: Sendable {
  static var kind: ModelFormatKind { get }
  /// Lower-case extensions without the dot.
  static var fileExtensions: [String] { get }
  /// Cheap check of the first bytes (and the path) — no full parse.
  static func probe(head: UnsafeRawBufferPointer, path: String) -> Bool
  /// Parses the file, mapping tensor data lazily.
  static func open(path: String) throws(FormatError) -> Model
  /// Whether `encoding` can be stored for `tensor` of `model` by this format's writer.
  static func canStore(_ encoding: QuantEncoding, tensor: ModelTensor, in model: Model) -> StoreDecision
  /// Tensors the writer re-encodes only all together (``canStore`` judges each one alone).
  static func jointGroups(in model: Model) -> [JointTensorGroup]
  /// Writes `model` to `path` with the requested tensors re-encoded; the rest are copied unchanged.
  /// Writes go to a temporary file that is verified before it replaces `path`.
  /// - Returns: notes for the user (e.g. tensors left unchanged, and why).
  static func write(
    _ model: Model, requests: [TensorWriteRequest], provider: QuantizedDataProvider, to path: String,
    options: WriteOptions
  ) throws(FormatError) -> [String]
}

extension ModelFormat {
  /// Most formats store every tensor independently.
  public static func jointGroups(in model: Model) -> [JointTensorGroup] { [] }
}

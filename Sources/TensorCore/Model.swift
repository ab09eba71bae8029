import Synchronization

/// The file formats QuantScope reads and writes.
public enum ModelFormatKind: String, CaseIterable, Hashable, Sendable, Codable {
  case safetensors, gguf, tflite, keras
}

/// Where a tensor's bytes live: a range of a memory-mapped file.
public struct TensorLocation: Sendable {
  public let file: MappedFile
  public let offset: Int
  public let byteCount: Int

  /// Creates a location after checking the range lies inside the file.
  public init(file: MappedFile, offset: Int, byteCount: Int) throws(ByteReaderError) {
    _ = try file.slice(offset: offset, count: byteCount)
    self.file = file; self.offset = offset; self.byteCount = byteCount
  }

  /// The tensor's bytes, borrowed from the mapping (checked at init).
  public var bytes: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: file.bytes[offset..<(offset + byteCount)])
  }
}

/// What a tensor is for; decides whether it is quantizable by default.
public enum TensorRole: String, Hashable, Sendable, Codable {
  case weight, embedding, bias, norm, other
}

/// Quantization parameters a file already stores for a tensor (e.g. a TFLite int8 weight).
/// The dequantized value of element q is `(q − zeroPoint) · scale`.
public struct StoredQuantization: Sendable, Hashable {
  public var scales: [Float]
  public var zeroPoints: [Int64]
  /// The axis the scales run along, nil for one scale per tensor.
  public var axis: Int?

  public init(scales: [Float], zeroPoints: [Int64], axis: Int?) {
    self.scales = scales; self.zeroPoints = zeroPoints; self.axis = axis
  }
}

/// One tensor of a model, with lazily mapped data.
public struct ModelTensor: Sendable {
  public var name: String
  public var shape: [Int]
  public var dtype: DType
  public var location: TensorLocation
  /// The layer (or block, or op) this tensor belongs to, for grouping.
  public var layer: String?
  /// The layer class or op that consumes the tensor ("Dense", "CONV_2D", "attn_q", "Linear").
  public var op: String?
  public var role: TensorRole
  /// Whether schemes apply to it by default (architecture.md: matmul/conv/embedding-like operands
  /// with at least 2 dimensions, format-aware).
  public var isQuantizable: Bool
  /// The output-channel axis used by per-channel schemes.
  public var channelAxis: Int
  /// Parameters of values already quantized in the file.
  public var storedQuantization: StoredQuantization?
  /// Anything the user should know about this tensor (e.g. a type we list but cannot decode).
  public var note: String?

  public init(
    name: String, shape: [Int], dtype: DType, location: TensorLocation, layer: String? = nil,
    op: String? = nil, role: TensorRole = .other, isQuantizable: Bool = false, channelAxis: Int = 0,
    storedQuantization: StoredQuantization? = nil, note: String? = nil
  ) {
    self.name = name; self.shape = shape; self.dtype = dtype; self.location = location
    self.layer = layer; self.op = op; self.role = role; self.isQuantizable = isQuantizable
    self.channelAxis = channelAxis; self.storedQuantization = storedQuantization; self.note = note
  }

  public var elementCount: Int { Shape.elementCount(shape) ?? 0 }
  public var byteCount: Int { location.byteCount }
}

/// A key/value pair of model metadata, rendered as text for display.
public struct MetadataEntry: Sendable, Hashable {
  public var key: String
  public var value: String
  public init(key: String, value: String) { self.key = key; self.value = value }
}

/// A group of tensors as the format defines it (a Keras layer, a TFLite op, a GGUF block).
public struct ModelLayer: Sendable, Hashable {
  public var name: String
  /// Layer class or op type.
  public var kind: String?
  /// Indices into ``Model/tensors``.
  public var tensorIndices: [Int]
  /// Facts a user cares about ("units=128", "activation=relu").
  public var details: [String]

  public init(name: String, kind: String? = nil, tensorIndices: [Int], details: [String] = []) {
    self.name = name; self.kind = kind; self.tensorIndices = tensorIndices; self.details = details
  }
}

/// A model opened from a file: tensors with mapped data, grouping, metadata.
public struct Model: Sendable {
  public var format: ModelFormatKind
  /// The path the user gave (for sharded safetensors: the index or first shard).
  public var path: String
  /// Total size of the file(s) on disk.
  public var fileBytes: Int
  public var tensors: [ModelTensor] {
    didSet { nameIndex = TensorNameIndex() }
  }
  public var layers: [ModelLayer]
  public var metadata: [MetadataEntry]
  /// Notes about the whole file (e.g. "weights only: no architecture").
  public var notes: [String]
  /// Format-private state a writer needs to rewrite the file (parsed structure, extra files).
  public var formatContext: (any Sendable)?
  /// The computation graph, where the format has one (TFLite); nil for weight-only formats.
  public var graph: ModelGraph?

  public init(
    format: ModelFormatKind, path: String, fileBytes: Int, tensors: [ModelTensor],
    layers: [ModelLayer] = [], metadata: [MetadataEntry] = [], notes: [String] = [],
    formatContext: (any Sendable)? = nil, graph: ModelGraph? = nil
  ) {
    self.format = format; self.path = path; self.fileBytes = fileBytes; self.tensors = tensors
    self.layers = layers; self.metadata = metadata; self.notes = notes; self.formatContext = formatContext
    self.graph = graph
  }

  /// Built on first use; writers and the TUI look names up per tensor, which a linear scan makes
  /// quadratic on models with thousands of tensors.
  private var nameIndex = TensorNameIndex()

  /// Index of the (first) tensor with this exact name.
  public func tensorIndex(named name: String) -> Int? { nameIndex.index(of: name, in: tensors) }
}

/// A lazily built name → index table, shared by copies of a model until its tensors change.
final class TensorNameIndex: Sendable {
  private let table = Mutex<[String: Int]?>(nil)

  func index(of name: String, in tensors: [ModelTensor]) -> Int? {
    table.withLock { table in
      if let table { return table[name] }
      var built: [String: Int] = [:]
      built.reserveCapacity(tensors.count)
      for (i, tensor) in tensors.enumerated() where built[tensor.name] == nil { built[tensor.name] = i }
      table = built
      return built[name]
    }
  }
}

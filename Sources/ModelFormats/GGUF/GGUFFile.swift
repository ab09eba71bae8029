import TensorCore

/// One metadata key/value pair as stored, in file order.
public struct GGUFKeyValue: Sendable, Hashable {
  public var key: String
  public var value: GGUFValue
  public init(key: String, value: GGUFValue) { self.key = key; self.value = value }
}

/// One tensor-info record of a GGUF file.
public struct GGUFTensorInfo: Sendable, Hashable {
  public var name: String
  /// Dimensions in ggml order: `ne[0]` is the row length (numpy's last axis).
  public var ne: [Int]
  public var type: DType
  /// Offset relative to the start of the data section.
  public var relativeOffset: Int
  /// Bytes of data (without alignment padding).
  public var byteCount: Int
  /// Where the record itself starts in the file, for error messages.
  public var recordOffset: Int

  public init(name: String, ne: [Int], type: DType, relativeOffset: Int, byteCount: Int, recordOffset: Int) {
    self.name = name; self.ne = ne; self.type = type; self.relativeOffset = relativeOffset
    self.byteCount = byteCount; self.recordOffset = recordOffset
  }

  /// The shape in numpy (row-major) order: GGUF's `ne` reversed, so the last axis is the row.
  public var shape: [Int] { ne.reversed() }
}

/// The parsed structure of a GGUF file: header, metadata and tensor infos.
///
/// Stored as ``Model/formatContext`` so the writer can keep every key when it rewrites the file.
public struct GGUFFile: Sendable {
  public var version: UInt32
  public var metadata: [GGUFKeyValue]
  public var tensors: [GGUFTensorInfo]
  /// Data alignment: `general.alignment` or the default 32.
  public var alignment: Int
  /// Absolute offset of the data section.
  public var dataOffset: Int
  /// Every shard's path, first shard first, for a split model opened from its first shard; empty
  /// otherwise. Then ``metadata``, ``alignment`` and ``dataOffset`` are the first shard's, and
  /// ``tensors`` lists every shard's tensors, each ``GGUFTensorInfo/relativeOffset`` relative to
  /// its own shard's data section.
  public var shardPaths: [String] = []

  public static let defaultAlignment = 32

  public init(version: UInt32, metadata: [GGUFKeyValue], tensors: [GGUFTensorInfo], alignment: Int, dataOffset: Int) {
    self.version = version; self.metadata = metadata; self.tensors = tensors
    self.alignment = alignment; self.dataOffset = dataOffset
  }

  /// The value of a key, nil when absent.
  public subscript(key: String) -> GGUFValue? {
    metadata.first { $0.key == key }?.value
  }

  /// `general.architecture`, e.g. "llama".
  public var architecture: String? { self["general.architecture"]?.stringValue }

  /// `{arch}.<suffix>` as an Int, e.g. `archInt("block_count")`.
  public func archInt(_ suffix: String) -> Int? {
    guard let arch = architecture else { return nil }
    return self["\(arch).\(suffix)"]?.intValue
  }
}

import TensorCore

/// A parsed .tflite file: the verified FlatBuffer tree plus typed views of what QuantScope uses.
/// Kept as ``Model/formatContext`` so the writer can rewrite the model without parsing again.
public struct TFLiteFile: @unchecked Sendable {
  // The tree and typed views are immutable values; MappedFile is an immutable read-only mapping.
  public struct Tensor: Sendable {
    public var name: String
    public var shape: [Int]
    public var rawType: Int8
    public var type: TFLiteSchema.TensorType?
    public var buffer: Int
    public var quantization: StoredQuantization?
    public var isSparse: Bool
    public var isVariable: Bool
  }

  public struct Operator: Sendable {
    public var opcodeIndex: Int
    public var inputs: [Int]
    public var outputs: [Int]
  }

  public struct OperatorCode: Sendable {
    public var code: Int32
    public var customCode: String?
    public var version: Int32
    /// "CONV_2D", or the custom op's name.
    public var name: String { code == TFLiteSchema.Op.custom ? (customCode ?? "CUSTOM") : TFLiteSchema.opName(code) }
  }

  public struct Subgraph: Sendable {
    public var name: String
    public var tensors: [Tensor]
    public var operators: [Operator]
    public var inputs: [Int]
    public var outputs: [Int]
  }

  /// Where a buffer's bytes are in the file (empty for activations and the sentinel buffer 0).
  public struct BufferRange: Sendable, Equatable {
    public var offset: Int
    public var count: Int
    /// True when the bytes sit after the FlatBuffer (Buffer.offset/size, > 2 GiB models).
    public var isExternal: Bool
  }

  public struct Signature: Sendable {
    public var key: String
    public var subgraph: Int
    public var inputs: [(name: String, tensor: Int)]
    public var outputs: [(name: String, tensor: Int)]
  }

  public let path: String
  public let file: MappedFile
  public let root: FlatBufferTable
  public let operatorCodes: [OperatorCode]
  public let subgraphs: [Subgraph]
  public let buffers: [BufferRange]
  public let metadata: [(name: String, buffer: Int)]
  public let signatures: [Signature]
  public let description: String?

  /// The bytes of a metadata entry (e.g. "min_runtime_version"), if present.
  public func metadataBytes(named name: String) -> [UInt8]? {
    guard let entry = metadata.first(where: { $0.name == name }), entry.buffer < buffers.count else { return nil }
    let range = buffers[entry.buffer]
    guard let slice = try? file.slice(offset: range.offset, count: range.count) else { return nil }
    return Array(slice)
  }

  /// The bytes that hold the FlatBuffer: up to the first data placed after it (Buffer.offset or
  /// Operator.large_custom_options_offset), else the whole file.
  public var flatBufferLength: Int {
    var end = file.count
    for range in buffers where range.isExternal { end = min(end, range.offset) }
    for subgraph in root.tables(TFLiteSchema.ModelField.subgraphs) {
      for op in subgraph.tables(TFLiteSchema.SubGraphField.operators) {
        let offset = op.uint64(TFLiteSchema.OperatorField.largeCustomOptionsOffset)
        if offset > 1, let start = Int(exactly: offset) { end = min(end, start) }
      }
    }
    return end
  }

  /// min_runtime_version without its zero padding.
  public var minRuntimeVersion: String? {
    metadataBytes(named: "min_runtime_version").map { bytes in
      String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
  }
}

import TensorCore

/// What the encoder needs to know about one tensor to lay out the file.
public struct GGUFTensorSpec: Sendable, Hashable {
  public var name: String
  /// ggml order: `ne[0]` is the row length.
  public var ne: [Int]
  public var type: DType

  public init(name: String, ne: [Int], type: DType) { self.name = name; self.ne = ne; self.type = type }

  /// From a numpy-order shape (the ``Model`` convention).
  public init(name: String, shape: [Int], type: DType) { self.init(name: name, ne: shape.reversed(), type: type) }

  /// Exact data size, nil when the row does not fill whole blocks or the size overflows.
  public var byteCount: Int? {
    guard (ne.first ?? 1) % type.blockSize == 0, let elements = Shape.elementCount(ne) else { return nil }
    return type.byteCount(elements: elements)
  }
}

/// Lays out a GGUF v3 file the way ggml's reader requires: header, metadata, tensor infos,
/// padding, then each tensor at the padded end of the previous one (the last one padded too).
public enum GGUFEncoder {
  /// The encoded header (everything before the data section, padding included), each tensor's
  /// offset relative to the data section, and the total data-section size.
  public struct Header: Sendable {
    public var bytes: [UInt8]
    public var offsets: [Int]
    public var dataBytes: Int
  }

  /// Encodes the header. Rejects what ggml would reject: duplicate keys or names, names of 64 or
  /// more bytes, more than 4 dimensions, rows that do not fill whole blocks, nested arrays.
  public static func header(
    metadata: [GGUFKeyValue], tensors: [GGUFTensorSpec], file: String = "output"
  ) throws(FormatError) -> Header {
    let alignment = try GGUFParser.readAlignment(metadata, file: file)
    var out = ByteWriter()
    out.write(GGUFParser.magic)
    out.write(UInt32(3))
    out.write(UInt64(tensors.count))
    out.write(UInt64(metadata.count))
    var keys = Set<String>()
    for entry in metadata {
      guard !entry.key.isEmpty, keys.insert(entry.key).inserted else {
        throw .invalid(file: file, what: "metadata key '\(entry.key)'", offset: nil, reason: "empty or duplicate key")
      }
      writeString(entry.key, to: &out)
      writeValue(entry.value, to: &out)
    }
    var names = Set<String>()
    var offsets: [Int] = []
    var next = 0
    for spec in tensors {
      guard names.insert(spec.name).inserted else {
        throw .cannotStore(file: file, tensor: spec.name, reason: "duplicate tensor name")
      }
      guard spec.name.utf8.count < 64, !spec.name.isEmpty else {
        throw .cannotStore(file: file, tensor: spec.name, reason: "GGUF tensor names must be 1…63 bytes (ggml's limit)")
      }
      guard spec.ne.count <= 4 else {
        throw .cannotStore(file: file, tensor: spec.name, reason: "\(spec.ne.count) dimensions (ggml allows at most 4)")
      }
      guard let id = GGMLTypeTable.id(of: spec.type) else {
        throw .cannotStore(file: file, tensor: spec.name, reason: "\(spec.type.rawValue) has no ggml type")
      }
      guard let size = spec.byteCount, let padded = GGUFLayout.alignUp(size, to: alignment) else {
        throw .cannotStore(
          file: file, tensor: spec.name,
          reason: "row length \(spec.ne.first ?? 1) is not a multiple of \(spec.type.rawValue)'s block size \(spec.type.blockSize)")
      }
      writeString(spec.name, to: &out)
      out.write(UInt32(spec.ne.count))
      for dim in spec.ne { out.write(UInt64(dim)) }
      out.write(id)
      out.write(UInt64(next))
      offsets.append(next)
      guard let advanced = Checked.add(next, padded) else {
        throw .cannotStore(file: file, tensor: spec.name, reason: "file size overflows")
      }
      next = advanced
    }
    out.pad(toMultipleOf: alignment)
    return Header(bytes: out.bytes, offsets: offsets, dataBytes: next)
  }

  /// A whole file in memory (for small models, tests and samples). `data[i]` must hold exactly
  /// tensor i's bytes.
  public static func file(metadata: [GGUFKeyValue], tensors: [(spec: GGUFTensorSpec, data: [UInt8])]) throws(FormatError) -> [UInt8] {
    let header = try header(metadata: metadata, tensors: tensors.map(\.spec))
    let alignment = try GGUFParser.readAlignment(metadata, file: "output")
    var out = ByteWriter(reservingCapacity: header.bytes.count + header.dataBytes)
    out.write(bytes: header.bytes)
    for (spec, data) in tensors {
      guard data.count == spec.byteCount else {
        throw .cannotStore(file: "output", tensor: spec.name, reason: "expected \(spec.byteCount ?? -1) bytes, got \(data.count)")
      }
      out.write(bytes: data)
      out.pad(toMultipleOf: alignment)
    }
    return out.bytes
  }

  static func writeString(_ string: String, to out: inout ByteWriter) {
    out.write(UInt64(string.utf8.count))
    out.writeUTF8(string)
  }

  static func writeValue(_ value: GGUFValue, to out: inout ByteWriter) {
    out.write(value.type.rawValue)
    switch value {
    case let .array(array):
      out.write(array.elementType.rawValue)
      out.write(UInt64(array.count))
      writeElements(array, to: &out)
    default:
      writeScalar(value, to: &out)
    }
  }

  static func writeScalar(_ value: GGUFValue, to out: inout ByteWriter) {
    switch value {
    case let .uint8(v): out.write(v)
    case let .int8(v): out.write(v)
    case let .uint16(v): out.write(v)
    case let .int16(v): out.write(v)
    case let .uint32(v): out.write(v)
    case let .int32(v): out.write(v)
    case let .uint64(v): out.write(v)
    case let .int64(v): out.write(v)
    case let .float32(v): out.writeFloat32(v)
    case let .float64(v): out.writeFloat64(v)
    case let .bool(v): out.write(UInt8(v ? 1 : 0))
    case let .string(s): writeString(s, to: &out)
    case .array: break  // arrays are flat by construction
    }
  }

  static func writeElements(_ array: GGUFArray, to out: inout ByteWriter) {
    switch array {
    case let .uint8(a): a.forEach { out.write($0) }
    case let .int8(a): a.forEach { out.write($0) }
    case let .uint16(a): a.forEach { out.write($0) }
    case let .int16(a): a.forEach { out.write($0) }
    case let .uint32(a): a.forEach { out.write($0) }
    case let .int32(a): a.forEach { out.write($0) }
    case let .uint64(a): a.forEach { out.write($0) }
    case let .int64(a): a.forEach { out.write($0) }
    case let .float32(a): a.forEach { out.writeFloat32($0) }
    case let .float64(a): a.forEach { out.writeFloat64($0) }
    case let .bool(a): a.forEach { out.write(UInt8($0 ? 1 : 0)) }
    case let .string(a): a.forEach { writeString($0, to: &out) }
    }
  }
}

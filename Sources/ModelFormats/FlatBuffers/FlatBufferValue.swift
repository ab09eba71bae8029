/// Bytes of a decoded string or scalar vector: either a range of the source buffer (so weight
/// data is never copied while reading) or bytes built in memory.
public enum FlatBufferBytes: Sendable, Equatable {
  case source(offset: Int, count: Int)
  case owned([UInt8])

  public var count: Int {
    switch self {
    case let .source(_, count): return count
    case let .owned(bytes): return bytes.count
    }
  }

  /// The bytes, resolving source ranges against `source` (the buffer they were decoded from).
  public func resolve(in source: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
    switch self {
    case let .source(offset, count):
      guard offset >= 0, count >= 0, offset <= source.count, count <= source.count - offset else { return nil }
      return UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)])
    case .owned:
      return nil
    }
  }

  /// A copy of the bytes (source ranges are resolved against `source`).
  public func array(in source: UnsafeRawBufferPointer) -> [UInt8] {
    switch self {
    case let .owned(bytes): return bytes
    case .source: return resolve(in: source).map { Array($0) } ?? []
    }
  }
}

/// One decoded field value.
public indirect enum FlatBufferValue: Sendable, Equatable {
  /// A scalar's raw little-endian bits, zero-extended, and its stored size.
  case scalar(bits: UInt64, size: Int)
  case string(FlatBufferBytes)
  case table(FlatBufferTable)
  /// A vector of scalars: its raw bytes (count = bytes / elementSize).
  case vector(FlatBufferBytes, elementSize: Int, alignment: Int)
  case tables([FlatBufferTable])
  case strings([FlatBufferBytes])
}

/// A field present in the file that the schema does not know (written by a newer schema): only
/// where it is and how much room it has, since its kind (scalar or offset) is not recorded.
public struct FlatBufferUnknownField: Sendable, Equatable {
  public var id: Int
  /// Absolute position of the field's inline bytes.
  public var position: Int
  /// Bytes up to the next field or the table's end: an upper bound on the field's size.
  public var room: Int
  /// True when the field is known to be an offset (a union value whose member is newer than the
  /// schema); false when its kind is unknown.
  public var isOffset: Bool

  public init(id: Int, position: Int, room: Int, isOffset: Bool) {
    self.id = id; self.position = position; self.room = room; self.isOffset = isOffset
  }
}

/// A decoded table: the fields that were present, by field id.
public struct FlatBufferTable: Sendable, Equatable {
  /// The schema table name.
  public var type: String
  public var fields: [Int: FlatBufferValue]
  /// Where the table was read (nil for tables built in memory). The encoder's preserving mode uses
  /// it to refer back to tables that did not change.
  public var offset: Int?
  /// Fields present in the file that the schema does not know (newer writers).
  public var unknownFields: [FlatBufferUnknownField]
  /// Ids of ``unknownFields``.
  public var unknownFieldIds: [Int] { unknownFields.map(\.id) }

  public init(type: String, fields: [Int: FlatBufferValue] = [:], offset: Int? = nil,
              unknownFields: [FlatBufferUnknownField] = []) {
    self.type = type; self.fields = fields; self.offset = offset; self.unknownFields = unknownFields
  }
}

extension FlatBufferTable {
  /// A scalar field's raw bits, or nil when absent (the caller applies the schema default).
  public func bits(_ id: Int) -> UInt64? {
    if case let .scalar(bits, _)? = fields[id] { return bits }
    return nil
  }

  public func uint32(_ id: Int, default value: UInt32 = 0) -> UInt32 {
    bits(id).map { UInt32(truncatingIfNeeded: $0) } ?? value
  }

  public func int32(_ id: Int, default value: Int32 = 0) -> Int32 {
    bits(id).map { Int32(truncatingIfNeeded: $0) } ?? value
  }

  public func int8(_ id: Int, default value: Int8 = 0) -> Int8 {
    bits(id).map { Int8(truncatingIfNeeded: $0) } ?? value
  }

  public func uint64(_ id: Int, default value: UInt64 = 0) -> UInt64 { bits(id) ?? value }

  public func bool(_ id: Int, default value: Bool = false) -> Bool { bits(id).map { $0 != 0 } ?? value }

  public func table(_ id: Int) -> FlatBufferTable? {
    if case let .table(table)? = fields[id] { return table }
    return nil
  }

  public func tables(_ id: Int) -> [FlatBufferTable] {
    if case let .tables(tables)? = fields[id] { return tables }
    return []
  }

  public func stringBytes(_ id: Int) -> FlatBufferBytes? {
    if case let .string(bytes)? = fields[id] { return bytes }
    return nil
  }

  public func vectorBytes(_ id: Int) -> FlatBufferBytes? {
    if case let .vector(bytes, _, _)? = fields[id] { return bytes }
    return nil
  }

  /// Sets a scalar field.
  public mutating func setScalar(_ id: Int, bits: UInt64, size: Int) {
    fields[id] = .scalar(bits: bits, size: size)
  }
}

import TensorCore

/// Reads typed metadata values.
enum GGUFValueReader {
  static func readValue(_ cursor: inout GGUFCursor, key: String) throws(FormatError) -> GGUFValue {
    let typeOffset = cursor.offset
    let raw = try cursor.read(UInt32.self, "type of key '\(key)'")
    guard let type = GGUFValueType(rawValue: raw) else {
      throw .invalid(file: cursor.file, what: "metadata key '\(key)'", offset: typeOffset, reason: "unknown value type \(raw)")
    }
    if type == .array { return .array(try readArray(&cursor, key: key)) }
    return try readScalar(&cursor, type: type, key: key)
  }

  static func readScalar(_ cursor: inout GGUFCursor, type: GGUFValueType, key: String) throws(FormatError) -> GGUFValue {
    let what = "value of key '\(key)'"
    switch type {
    case .uint8: return .uint8(try cursor.read(UInt8.self, what))
    case .int8: return .int8(try cursor.read(Int8.self, what))
    case .uint16: return .uint16(try cursor.read(UInt16.self, what))
    case .int16: return .int16(try cursor.read(Int16.self, what))
    case .uint32: return .uint32(try cursor.read(UInt32.self, what))
    case .int32: return .int32(try cursor.read(Int32.self, what))
    case .float32: return .float32(Float(bitPattern: try cursor.read(UInt32.self, what)))
    case .uint64: return .uint64(try cursor.read(UInt64.self, what))
    case .int64: return .int64(try cursor.read(Int64.self, what))
    case .float64: return .float64(Double(bitPattern: try cursor.read(UInt64.self, what)))
    case .bool: return .bool(try readBool(&cursor, what: what))
    case .string: return .string(try cursor.readString(what))
    case .array:
      throw .invalid(file: cursor.file, what: "metadata key '\(key)'", offset: cursor.offset, reason: "nested arrays are not supported (ggml rejects them)")
    }
  }

  static func readBool(_ cursor: inout GGUFCursor, what: String) throws(FormatError) -> Bool {
    let at = cursor.offset
    let byte = try cursor.read(UInt8.self, what)
    guard byte <= 1 else { throw .invalid(file: cursor.file, what: what, offset: at, reason: "bool must be 0 or 1, found \(byte)") }
    return byte == 1
  }

  static func readArray(_ cursor: inout GGUFCursor, key: String) throws(FormatError) -> GGUFArray {
    let typeOffset = cursor.offset
    let raw = try cursor.read(UInt32.self, "array type of key '\(key)'")
    guard let type = GGUFValueType(rawValue: raw) else {
      throw .invalid(file: cursor.file, what: "metadata key '\(key)'", offset: typeOffset, reason: "unknown array element type \(raw)")
    }
    guard type != .array else {
      throw .invalid(file: cursor.file, what: "metadata key '\(key)'", offset: typeOffset, reason: "nested arrays are not supported (ggml rejects them)")
    }
    // Strings need at least their 8-byte length each.
    let count = try cursor.readCount("element count of key '\(key)'", minimumSize: type.scalarWidth ?? 8)
    let what = "elements of key '\(key)'"
    switch type {
    case .uint8: return .uint8(try readMany(&cursor, count, what))
    case .int8: return .int8(try readMany(&cursor, count, what))
    case .uint16: return .uint16(try readMany(&cursor, count, what))
    case .int16: return .int16(try readMany(&cursor, count, what))
    case .uint32: return .uint32(try readMany(&cursor, count, what))
    case .int32: return .int32(try readMany(&cursor, count, what))
    case .uint64: return .uint64(try readMany(&cursor, count, what))
    case .int64: return .int64(try readMany(&cursor, count, what))
    case .float32: return .float32((try readMany(&cursor, count, what) as [UInt32]).map { Float(bitPattern: $0) })
    case .float64: return .float64((try readMany(&cursor, count, what) as [UInt64]).map { Double(bitPattern: $0) })
    case .bool:
      var values: [Bool] = []
      values.reserveCapacity(count)
      for _ in 0..<count { values.append(try readBool(&cursor, what: what)) }
      return .bool(values)
    case .string:
      var values: [String] = []
      values.reserveCapacity(count)
      for index in 0..<count { values.append(try cursor.readString("element \(index) of key '\(key)'")) }
      return .string(values)
    case .array:
      throw .invalid(file: cursor.file, what: "metadata key '\(key)'", offset: typeOffset, reason: "nested arrays are not supported")
    }
  }

  private static func readMany<T: FixedWidthInteger>(_ cursor: inout GGUFCursor, _ count: Int, _ what: String) throws(FormatError) -> [T] {
    var values: [T] = []
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(try cursor.read(T.self, what)) }
    return values
  }
}

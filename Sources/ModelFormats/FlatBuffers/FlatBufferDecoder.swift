import TensorCore

/// Decodes a FlatBuffer into ``FlatBufferTable`` values, verifying it as strictly as the
/// FlatBuffers verifier LiteRT runs on load: every offset in range and non-zero, every scalar,
/// table, vtable and vector length aligned, strings zero-terminated, nesting and table counts
/// bounded. Scalar vectors are not copied; they refer back to the source bytes.
public struct FlatBufferDecoder {
  /// The largest FlatBuffer (offsets are 32-bit, soffsets signed).
  public static let maxBufferSize = Int(Int32.max)
  public static let maxDepth = 64
  public static let maxTables = 1_000_000

  let reader: ByteReader
  let schema: FlatBufferSchema
  /// Bytes that belong to the FlatBuffer (the file may hold appended data after it).
  let limit: Int
  /// Every table takes at least 4 bytes of its own, so a buffer holds at most limit / 4 of them;
  /// decoding more means tables are shared (a DAG), which could otherwise multiply a small file
  /// into a million decoded tables.
  let tableLimit: Int
  private var tableCount = 0

  public init(bytes: UnsafeRawBufferPointer, schema: FlatBufferSchema) {
    self.reader = ByteReader(bytes)
    self.schema = schema
    self.limit = min(bytes.count, FlatBufferDecoder.maxBufferSize)
    self.tableLimit = min(FlatBufferDecoder.maxTables, limit / 4)
  }

  /// Decodes the root table after checking the 4-byte file identifier at offset 4.
  public mutating func decodeRoot(type: String, identifier: String) throws(FlatBufferError) -> FlatBufferTable {
    guard limit >= 8 else {
      throw .outOfRange(what: "FlatBuffer header", offset: 0, needed: 8, available: limit)
    }
    let id = try peekBytes(at: 4, count: 4, what: "file identifier")
    let found = String(decoding: id.map { $0 >= 0x20 && $0 < 0x7F ? $0 : 0x3F }, as: UTF8.self)
    guard id == Array(identifier.utf8) else { throw .badIdentifier(expected: identifier, found: found) }
    let root = try followOffset(at: 0, what: "root table offset")
    return try decodeTable(at: root, type: type, depth: 1)
  }

  // MARK: Primitive checked reads

  private func check(_ position: Int, _ size: Int, what: String) throws(FlatBufferError) {
    guard position >= 0, size >= 0, position <= limit, size <= limit - position else {
      throw .outOfRange(what: what, offset: position, needed: size, available: max(0, limit - max(position, 0)))
    }
  }

  private func align(_ position: Int, _ alignment: Int, what: String) throws(FlatBufferError) {
    guard alignment <= 1 || position % alignment == 0 else {
      throw .misaligned(what: what, offset: position, alignment: alignment)
    }
  }

  func peek<T: FixedWidthInteger>(_ type: T.Type, at position: Int, what: String) throws(FlatBufferError) -> T {
    try check(position, MemoryLayout<T>.size, what: what)
    do { return try reader.peek(T.self, at: position) } catch {
      throw .outOfRange(what: what, offset: position, needed: MemoryLayout<T>.size, available: 0)
    }
  }

  private func peekBytes(at position: Int, count: Int, what: String) throws(FlatBufferError) -> [UInt8] {
    try check(position, count, what: what)
    do { return Array(try reader.slice(at: position, count: count)) } catch {
      throw .outOfRange(what: what, offset: position, needed: count, available: 0)
    }
  }

  /// Reads the uoffset stored at `position` and returns its target.
  private func followOffset(at position: Int, what: String) throws(FlatBufferError) -> Int {
    try align(position, 4, what: what)
    let value = Int(try peek(UInt32.self, at: position, what: what))
    guard value != 0 else { throw .invalid(what: what, offset: position, reason: "offset is zero") }
    guard value < FlatBufferDecoder.maxBufferSize else {
      throw .invalid(what: what, offset: position, reason: "offset \(value) exceeds 2 GiB")
    }
    let target = position + value
    try check(target, 4, what: what + " target")
    return target
  }

  // MARK: Tables

  mutating func decodeTable(at position: Int, type: String, depth: Int) throws(FlatBufferError) -> FlatBufferTable {
    guard depth <= FlatBufferDecoder.maxDepth else {
      throw .tooDeep(offset: position, limit: FlatBufferDecoder.maxDepth)
    }
    tableCount += 1
    guard tableCount <= tableLimit else { throw .tooManyTables(limit: tableLimit) }
    let what = "\(type) table"
    try align(position, 4, what: what)
    let soffset = Int(try peek(Int32.self, at: position, what: what))
    let vtable = position - soffset
    try check(vtable, 4, what: "\(type) vtable")
    try align(vtable, 2, what: "\(type) vtable")
    let vtableSize = Int(try peek(UInt16.self, at: vtable, what: "\(type) vtable"))
    let inlineSize = Int(try peek(UInt16.self, at: vtable + 2, what: "\(type) vtable"))
    guard vtableSize >= 4, vtableSize % 2 == 0 else {
      throw .invalid(what: "\(type) vtable", offset: vtable, reason: "size \(vtableSize) is not an even number ≥ 4")
    }
    try check(vtable, vtableSize, what: "\(type) vtable")
    guard inlineSize >= 4 else {
      throw .invalid(what: what, offset: position, reason: "inline size \(inlineSize) is smaller than its vtable offset")
    }
    try check(position, inlineSize, what: what)
    guard let kinds = schema.tables[type] else {
      throw .unsupported(what: what, reason: "table type is not in the schema")
    }
    var table = FlatBufferTable(type: type, offset: position)
    let slots = (vtableSize - 4) / 2
    var fieldOffsets: [Int] = []
    fieldOffsets.reserveCapacity(slots)
    for id in 0..<slots {
      fieldOffsets.append(Int(try peek(UInt16.self, at: vtable + 4 + 2 * id, what: "\(type) vtable")))
    }
    // The room an unknown field has: up to the next field or the end of the table.
    func room(after fieldOffset: Int) -> Int {
      let next = fieldOffsets.filter { $0 > fieldOffset }.min() ?? inlineSize
      return min(next, inlineSize) - fieldOffset
    }
    for id in 0..<slots {
      let fieldOffset = fieldOffsets[id]
      guard fieldOffset != 0 else { continue }
      guard id < kinds.count else {
        guard fieldOffset >= 4, fieldOffset < inlineSize else {
          throw .invalid(what: what, offset: position, reason: "field \(id) lies outside the table")
        }
        table.unknownFields.append(.init(id: id, position: position + fieldOffset, room: room(after: fieldOffset), isOffset: false))
        continue
      }
      let field = position + fieldOffset
      let size: Int
      if case let .scalar(n) = kinds[id] { size = n } else { size = 4 }
      guard fieldOffset >= 4, fieldOffset + size <= inlineSize else {
        throw .invalid(what: what, offset: position, reason: "field \(id) lies outside the table")
      }
      if case let .union(name) = kinds[id] {
        // A member newer than the schema: keep where its offset is, so a rewrite can keep it.
        let tag = UInt8(truncatingIfNeeded: table.bits(id - 1) ?? 0)
        if tag != 0, schema.member(of: name, tag: tag) == nil {
          _ = try followOffset(at: field, what: "\(type) field \(id)")
          table.unknownFields.append(.init(id: id, position: field, room: 4, isOffset: true))
          continue
        }
      }
      if let value = try decodeField(kinds[id], at: field, id: id, in: table, type: type, depth: depth) {
        table.fields[id] = value
      }
    }
    return table
  }

  private mutating func decodeField(
    _ kind: FlatBufferSchema.FieldKind, at field: Int, id: Int, in table: FlatBufferTable, type: String, depth: Int
  ) throws(FlatBufferError) -> FlatBufferValue? {
    let what = "\(type) field \(id)"
    switch kind {
    case let .scalar(size):
      try align(field, size, what: what)
      let bits: UInt64
      switch size {
      case 1: bits = UInt64(try peek(UInt8.self, at: field, what: what))
      case 2: bits = UInt64(try peek(UInt16.self, at: field, what: what))
      case 4: bits = UInt64(try peek(UInt32.self, at: field, what: what))
      default: bits = try peek(UInt64.self, at: field, what: what)
      }
      return .scalar(bits: bits, size: size)
    case .string:
      return .string(try decodeString(at: try followOffset(at: field, what: what), what: what))
    case let .table(name):
      return .table(try decodeTable(at: try followOffset(at: field, what: what), type: name, depth: depth + 1))
    case let .union(name):
      let tag = UInt8(truncatingIfNeeded: table.bits(id - 1) ?? 0)
      guard tag != 0 else { return nil }
      guard let member = schema.member(of: name, tag: tag) else { return nil }
      return .table(try decodeTable(at: try followOffset(at: field, what: what), type: member, depth: depth + 1))
    case let .vector(elementSize, alignment):
      let start = try followOffset(at: field, what: what)
      let (data, count) = try vectorExtent(at: start, elementSize: elementSize, what: what)
      // count × elementSize was checked for overflow and against the buffer in vectorExtent.
      return .vector(.source(offset: data, count: count &* elementSize), elementSize: elementSize, alignment: alignment)
    case let .tableVector(name):
      let start = try followOffset(at: field, what: what)
      let (data, count) = try vectorExtent(at: start, elementSize: 4, what: what)
      var tables: [FlatBufferTable] = []
      tables.reserveCapacity(count)
      for i in 0..<count {
        let slot = data + 4 * i
        tables.append(try decodeTable(at: try followOffset(at: slot, what: "\(what)[\(i)]"), type: name, depth: depth + 1))
      }
      return .tables(tables)
    case .stringVector:
      let start = try followOffset(at: field, what: what)
      let (data, count) = try vectorExtent(at: start, elementSize: 4, what: what)
      var strings: [FlatBufferBytes] = []
      strings.reserveCapacity(count)
      for i in 0..<count {
        strings.append(try decodeString(at: try followOffset(at: data + 4 * i, what: "\(what)[\(i)]"), what: what))
      }
      return .strings(strings)
    }
  }

  /// Checks a vector's length prefix and extent; returns where its elements start and how many.
  private func vectorExtent(at start: Int, elementSize: Int, what: String) throws(FlatBufferError) -> (Int, Int) {
    try align(start, 4, what: what + " length")
    let count = Int(try peek(UInt32.self, at: start, what: what + " length"))
    let data = start + 4
    guard let bytes = Checked.multiply(count, elementSize) else {
      throw .invalid(what: what, offset: start, reason: "length \(count) overflows")
    }
    try check(data, bytes, what: what)
    try align(data, min(elementSize, 8), what: what + " elements")
    return (data, count)
  }

  private func decodeString(at start: Int, what: String) throws(FlatBufferError) -> FlatBufferBytes {
    let (data, count) = try vectorExtent(at: start, elementSize: 1, what: what)
    try check(data, count + 1, what: what + " terminator")
    guard try peek(UInt8.self, at: data + count, what: what) == 0 else {
      throw .invalid(what: what, offset: data + count, reason: "string is not zero-terminated")
    }
    return .source(offset: data, count: count)
  }
}

import TensorCore

extension FlatBufferEncoder {
  /// Starts an encoder in preserving mode: the first `length` bytes of `source` (the original
  /// FlatBuffer that `original` was decoded from) go first, as a 16-aligned block at the end of the
  /// output, so every original offset keeps its alignment.
  public init(
    schema: FlatBufferSchema, source: UnsafeRawBufferPointer, capacity: Int, preserving original: FlatBufferTable,
    length: Int
  ) {
    self.init(schema: schema, source: source, capacity: capacity)
    let length = max(0, min(length, source.count))
    let base = builder.appendOpaque(UnsafeRawBufferPointer(rebasing: source[0..<length]), alignment: 16)
    var block = PreservedBlock(base: base, length: length, tables: [:], vectors: [:])
    Self.collect(original, into: &block)
    preserved = block
  }

  private static func collect(_ table: FlatBufferTable, into block: inout PreservedBlock) {
    if let offset = table.offset {
      guard block.tables[offset] == nil else { return }
      block.tables[offset] = table
    }
    func vector(_ bytes: FlatBufferBytes) {
      if case let .source(offset, count) = bytes, offset >= 4, offset <= block.length - count { block.vectors[offset] = count }
    }
    for value in table.fields.values {
      switch value {
      case .scalar: break
      case let .string(bytes), let .vector(bytes, _, _): vector(bytes)
      case let .table(child): collect(child, into: &block)
      case let .tables(children): for child in children { collect(child, into: &block) }
      case let .strings(items): items.forEach(vector)
      }
    }
  }

  /// Whether the output keeps the original buffer behind the new one.
  public var isPreserving: Bool { preserved != nil }

  /// About how many bytes of the kept original buffer nothing refers to any more: vector and
  /// string data (mostly replaced weights) outside every table and vector still in use.
  public var staleBytes: Int {
    guard let block = preserved else { return 0 }
    var reachable = block.referencedVectors
    var seen: Set<Int> = []
    func walk(_ table: FlatBufferTable) {
      if let offset = table.offset { guard seen.insert(offset).inserted else { return } }
      for value in table.fields.values {
        switch value {
        case .scalar: break
        case let .string(bytes), let .vector(bytes, _, _): if case let .source(o, _) = bytes { reachable.insert(o) }
        case let .table(child): walk(child)
        case let .tables(children): children.forEach(walk)
        case let .strings(items): for case let .source(o, _) in items { reachable.insert(o) }
        }
      }
    }
    for offset in block.referencedTables { if let table = block.tables[offset] { walk(table) } }
    var stale = 0
    for (offset, count) in block.vectors where !reachable.contains(offset) { stale += count }
    return stale
  }

  /// The offset of `table` inside the kept block, when it is unchanged from the decoded original.
  mutating func preservedTable(_ table: FlatBufferTable) -> FlatBufferBuilder.Offset? {
    guard var block = preserved, let offset = table.offset, offset < block.length, block.tables[offset] == table else {
      return nil
    }
    block.referencedTables.insert(offset)
    preserved = block
    return block.base - offset
  }

  /// The offset of an original vector or string (its length prefix) inside the kept block.
  mutating func preservedVector(_ bytes: FlatBufferBytes) -> FlatBufferBuilder.Offset? {
    guard var block = preserved, case let .source(offset, count) = bytes, block.vectors[offset] == count else { return nil }
    block.referencedVectors.insert(offset)
    preserved = block
    return block.base - (offset - 4)
  }

  /// Unknown fields of a changed table that can be carried over: in preserving mode, an offset
  /// into the kept block when the field is known to be one or clearly points at a table or string
  /// there; a raw scalar when it cannot be an offset. Ambiguous ones (and all of them in compact
  /// mode) are dropped and reported.
  mutating func carryUnknownFields(of table: FlatBufferTable) -> (offsets: [Int: FlatBufferBuilder.Offset], scalars: [(Int, UInt64, Int)]) {
    var offsets: [Int: FlatBufferBuilder.Offset] = [:]
    var scalars: [(Int, UInt64, Int)] = []
    for field in table.unknownFields {
      let name = "\(table.type) field \(field.id)"
      guard let block = preserved, field.position >= 0, field.position < block.length else {
        droppedFields.append(name)
        continue
      }
      let reader = ByteReader(UnsafeRawBufferPointer(rebasing: source[0..<block.length]))
      let target = offsetTarget(at: field.position, reader: reader, length: block.length)
      if let target, field.isOffset || looksLikeTableOrString(at: target, reader: reader, length: block.length) {
        offsets[field.id] = block.base - target
        keptUnknownFields.append("\(name) (as an offset)")
        continue
      }
      if field.isOffset || (target != nil && field.room >= 4 && field.position % 4 == 0) {
        droppedFields.append(name)
        continue
      }
      guard let size = [8, 4, 2, 1].first(where: { $0 <= field.room && field.position % $0 == 0 }),
        let bits = rawBits(at: field.position, size: size, reader: reader)
      else {
        droppedFields.append(name)
        continue
      }
      scalars.append((field.id, bits, size))
      keptUnknownFields.append("\(name) (as a \(size)-byte scalar)")
    }
    return (offsets, scalars)
  }

  /// Where the uoffset at `position` would point, when that is a 4-aligned place inside the block.
  private func offsetTarget(at position: Int, reader: ByteReader, length: Int) -> Int? {
    guard position % 4 == 0, let value = try? reader.peek(UInt32.self, at: position), value != 0,
      value < UInt32(Int32.max), let target = Checked.add(position, Int(value)), target % 4 == 0, target <= length - 4
    else { return nil }
    return target
  }

  private func rawBits(at position: Int, size: Int, reader: ByteReader) -> UInt64? {
    switch size {
    case 1: return (try? reader.peek(UInt8.self, at: position)).map(UInt64.init)
    case 2: return (try? reader.peek(UInt16.self, at: position)).map(UInt64.init)
    case 4: return (try? reader.peek(UInt32.self, at: position)).map(UInt64.init)
    default: return try? reader.peek(UInt64.self, at: position)
    }
  }

  /// A table whose vtable and inline part lie inside the block with sane sizes, or a
  /// zero-terminated string.
  private func looksLikeTableOrString(at target: Int, reader: ByteReader, length: Int) -> Bool {
    if let soffset = try? reader.peek(Int32.self, at: target), let vtable = Checked.add(target, -Int(soffset)),
      vtable >= 0, vtable % 2 == 0, vtable <= length - 4,
      let vtableSize = try? reader.peek(UInt16.self, at: vtable), let inline = try? reader.peek(UInt16.self, at: vtable + 2),
      vtableSize >= 4, vtableSize % 2 == 0, Int(vtableSize) <= length - vtable, inline >= 4, Int(inline) <= length - target {
      var fieldsInside = true
      for slot in stride(from: 4, to: Int(vtableSize), by: 2) {
        guard let entry = try? reader.peek(UInt16.self, at: vtable + slot), entry < inline, entry == 0 || entry >= 4 else {
          fieldsInside = false
          break
        }
      }
      if fieldsInside { return true }
    }
    guard let count = try? reader.peek(UInt32.self, at: target), Int(count) < length - target - 4,
      let terminator = try? reader.peek(UInt8.self, at: target + 4 + Int(count))
    else { return false }
    return terminator == 0
  }
}

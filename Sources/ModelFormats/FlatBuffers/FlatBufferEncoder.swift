/// Writes decoded (and edited) ``FlatBufferTable`` trees back out with a ``FlatBufferBuilder``.
///
/// Children are encoded before their parents. Two modes:
/// - compact (default): everything is re-encoded. Fields the schema does not know cannot be copied
///   safely (their kind is unknown), so they are left out and reported in ``droppedFields``.
/// - preserving (``init(schema:source:capacity:preserving:length:)``): the original FlatBuffer is
///   kept as an opaque block at the end of the new one. Every table equal to the one decoded at
///   its offset, and every original vector or string, becomes a forward offset into that block, so
///   unknown fields and tables below it survive byte for byte. Only tables that changed are
///   re-encoded; their unknown fields are kept when their kind can be told (see
///   ``keptUnknownFields``), else dropped and reported.
public struct FlatBufferEncoder {
  public internal(set) var builder: FlatBufferBuilder
  let schema: FlatBufferSchema
  /// The buffer `.source` byte ranges refer to.
  let source: UnsafeRawBufferPointer
  /// "Type field N" for each unknown field left out.
  public internal(set) var droppedFields: [String] = []
  /// "Type field N (as …)" for each unknown field of a changed table that was carried over.
  public internal(set) var keptUnknownFields: [String] = []
  var preserved: PreservedBlock?

  /// The original buffer kept behind the new one, and what of it can be referred to.
  struct PreservedBlock {
    /// Position (from the end) of the block's first byte.
    var base: FlatBufferBuilder.Offset
    var length: Int
    /// Decoded tables by their offset.
    var tables: [Int: FlatBufferTable]
    /// Element bytes of every decoded vector and string, by where they start.
    var vectors: [Int: Int]
    var referencedTables: Set<Int> = []
    var referencedVectors: Set<Int> = []
  }

  public init(schema: FlatBufferSchema, source: UnsafeRawBufferPointer, capacity: Int = 1 << 16) {
    self.schema = schema; self.source = source
    builder = FlatBufferBuilder(capacity: capacity)
  }

  /// Encodes `root` and returns the finished buffer.
  public mutating func finish(root: FlatBufferTable, identifier: String) throws(FlatBufferError) -> [UInt8] {
    let offset = try encode(root)
    return builder.finish(root: offset, identifier: identifier)
  }

  private mutating func bytes(_ value: FlatBufferBytes, what: String) throws(FlatBufferError) -> UnsafeRawBufferPointer? {
    if case .owned = value { return nil }
    guard let raw = value.resolve(in: source) else {
      throw .invalid(what: what, offset: 0, reason: "refers outside the source buffer")
    }
    return raw
  }

  private mutating func string(_ value: FlatBufferBytes, what: String) throws(FlatBufferError) -> FlatBufferBuilder.Offset {
    if case let .owned(array) = value { return array.withUnsafeBytes { builder.createString($0) } }
    if let kept = preservedVector(value) { return kept }
    guard let raw = try bytes(value, what: what) else { return builder.createString("") }
    return builder.createString(raw)
  }

  public mutating func encode(_ table: FlatBufferTable) throws(FlatBufferError) -> FlatBufferBuilder.Offset {
    if let kept = preservedTable(table) { return kept }
    guard let kinds = schema.tables[table.type] else {
      throw .unsupported(what: "\(table.type) table", reason: "table type is not in the schema")
    }
    let unknown = carryUnknownFields(of: table)
    // A union tag without its value would make readers look for a table that is not there.
    var skipped: Set<Int> = []
    for field in table.unknownFields where field.isOffset && unknown.offsets[field.id] == nil { skipped.insert(field.id - 1) }
    // Children first: every non-scalar field becomes an offset.
    var offsets: [Int: FlatBufferBuilder.Offset] = [:]
    for id in table.fields.keys.sorted() {
      guard id < kinds.count, let value = table.fields[id] else { continue }
      let what = "\(table.type) field \(id)"
      switch value {
      case .scalar: continue
      case let .string(bytes): offsets[id] = try string(bytes, what: what)
      case let .table(child): offsets[id] = try encode(child)
      case let .vector(data, elementSize, alignment):
        if case let .owned(array) = data {
          offsets[id] = builder.createVector(array, elementSize: elementSize, alignment: alignment)
        } else if let kept = preservedVector(data) {
          offsets[id] = kept
        } else if let raw = try bytes(data, what: what) {
          offsets[id] = builder.createVector(raw, elementSize: elementSize, alignment: alignment)
        }
      case let .tables(children):
        var targets: [FlatBufferBuilder.Offset] = []
        targets.reserveCapacity(children.count)
        for child in children { targets.append(try encode(child)) }
        offsets[id] = builder.createOffsetVector(targets)
      case let .strings(items):
        var targets: [FlatBufferBuilder.Offset] = []
        for item in items { targets.append(try string(item, what: what)) }
        offsets[id] = builder.createOffsetVector(targets)
      }
    }
    for (id, target) in unknown.offsets { offsets[id] = target }
    builder.startTable()
    // Largest scalars first keeps padding small.
    var scalars = table.fields.compactMap { id, value -> (Int, UInt64, Int)? in
      guard id < kinds.count, !skipped.contains(id), case let .scalar(bits, size) = value else { return nil }
      return (id, bits, size)
    }
    scalars += unknown.scalars
    scalars.sort { $0.2 != $1.2 ? $0.2 > $1.2 : $0.0 < $1.0 }
    for (id, bits, size) in scalars where size == 8 { builder.addScalar(id, bits: bits, size: 8) }
    for (id, target) in offsets.sorted(by: { $0.key < $1.key }) { builder.addOffset(id, target) }
    for (id, bits, size) in scalars where size < 8 { builder.addScalar(id, bits: bits, size: size) }
    return builder.endTable()
  }
}

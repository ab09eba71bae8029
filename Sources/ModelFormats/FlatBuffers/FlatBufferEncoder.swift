/// Writes decoded (and edited) ``FlatBufferTable`` trees back out with a ``FlatBufferBuilder``.
///
/// Children are encoded before their parents. Fields the schema does not know cannot be copied
/// safely (their kind is unknown), so they are left out and reported in ``droppedFields``.
public struct FlatBufferEncoder {
  public private(set) var builder: FlatBufferBuilder
  let schema: FlatBufferSchema
  /// The buffer `.source` byte ranges refer to.
  let source: UnsafeRawBufferPointer
  /// "Type field N" for each unknown field left out.
  public private(set) var droppedFields: [String] = []

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
    guard let raw = try bytes(value, what: what) else { return builder.createString("") }
    return builder.createString(raw)
  }

  public mutating func encode(_ table: FlatBufferTable) throws(FlatBufferError) -> FlatBufferBuilder.Offset {
    guard let kinds = schema.tables[table.type] else {
      throw .unsupported(what: "\(table.type) table", reason: "table type is not in the schema")
    }
    for id in table.unknownFieldIds { droppedFields.append("\(table.type) field \(id)") }
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
    builder.startTable()
    // Largest scalars first keeps padding small.
    let scalars = table.fields.compactMap { id, value -> (Int, UInt64, Int)? in
      guard id < kinds.count, case let .scalar(bits, size) = value else { return nil }
      return (id, bits, size)
    }.sorted { $0.2 != $1.2 ? $0.2 > $1.2 : $0.0 < $1.0 }
    for (id, bits, size) in scalars where size == 8 { builder.addScalar(id, bits: bits, size: 8) }
    for (id, target) in offsets.sorted(by: { $0.key < $1.key }) { builder.addOffset(id, target) }
    for (id, bits, size) in scalars where size < 8 { builder.addScalar(id, bits: bits, size: size) }
    return builder.endTable()
  }
}

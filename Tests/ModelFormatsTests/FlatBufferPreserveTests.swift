import Testing
@testable import ModelFormats

/// The encoder's two ways with fields a newer schema wrote: compact drops them (and a union tag
/// whose member is unknown); preserving keeps the original buffer and refers back into it.
@Suite struct FlatBufferPreserveTests {
  /// What the reader knows.
  static let known = FlatBufferSchema(
    specs: ["Root": "4 S V8 VT:Item 1 T:Root 2", "Item": "4 1", "Holder": "1 U:Opts 4", "A": "4"], unions: ["Opts": ["A"]])

  func decode(_ bytes: [UInt8], _ type: String = "Root") throws -> FlatBufferTable {
    let result: Result<FlatBufferTable, FlatBufferError> = bytes.withUnsafeBytes { raw in
      var decoder = FlatBufferDecoder(bytes: raw, schema: Self.known)
      do throws(FlatBufferError) { return .success(try decoder.decodeRoot(type: type, identifier: "TEST")) } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  func encode(_ root: FlatBufferTable, source: [UInt8], preserve: Bool) throws -> ([UInt8], FlatBufferEncoder) {
    try source.withUnsafeBytes { raw in
      var encoder = preserve
        ? FlatBufferEncoder(schema: Self.known, source: raw, capacity: 64, preserving: try decode(source, root.type), length: raw.count)
        : FlatBufferEncoder(schema: Self.known, source: raw)
      let bytes = try encoder.finish(root: root, identifier: "TEST")
      return (bytes, encoder)
    }
  }

  /// A Root written by a newer schema: known fields 0 (42), 3 (two Items), plus unknown field 9
  /// (offset to an Item {7, 1}), 10 (u32 0x12345677, odd so not an offset) and 11 (one byte 0x5A).
  func newer() -> [UInt8] {
    var b = FlatBufferBuilder(capacity: 8)
    let items = (0..<2).map { i -> Int in
      b.startTable(); b.addScalar(0, bits: UInt64(100 + i), size: 4); return b.endTable()
    }
    let list = b.createOffsetVector(items)
    b.startTable(); b.addScalar(0, bits: 7, size: 4); b.addScalar(1, bits: 1, size: 1)
    let extra = b.endTable()
    b.startTable()
    b.addScalar(0, bits: 42, size: 4); b.addOffset(3, list); b.addOffset(9, extra)
    b.addScalar(10, bits: 0x1234_5677, size: 4); b.addScalar(11, bits: 0x5A, size: 1)
    return b.finish(root: b.endTable(), identifier: "TEST")
  }

  func field(_ table: FlatBufferTable, _ id: Int) throws -> FlatBufferUnknownField {
    try #require(table.unknownFields.first { $0.id == id })
  }

  @Test("compact mode drops unknown fields and names them")
  func compactDrops() throws {
    let source = newer()
    var root = try decode(source)
    #expect(root.unknownFieldIds.sorted() == [9, 10, 11])
    root.setScalar(0, bits: 43, size: 4)
    let (bytes, encoder) = try encode(root, source: source, preserve: false)
    #expect(Set(encoder.droppedFields) == ["Root field 9", "Root field 10", "Root field 11"])
    let out = try decode(bytes)
    #expect(out.unknownFields.isEmpty && out.uint32(0) == 43 && out.tables(3).map { $0.uint32(0) } == [100, 101])
  }

  @Test("preserving mode keeps unknown fields of a changed table and refers to unchanged tables")
  func preservingKeeps() throws {
    let source = newer()
    var root = try decode(source)
    root.setScalar(0, bits: 43, size: 4)
    let (bytes, encoder) = try encode(root, source: source, preserve: true)
    #expect(encoder.droppedFields.isEmpty)
    #expect(Set(encoder.keptUnknownFields) == [
      "Root field 9 (as an offset)", "Root field 10 (as a 4-byte scalar)", "Root field 11 (as a 1-byte scalar)"])
    let out = try decode(bytes)
    #expect(out.uint32(0) == 43)
    // The Items were not re-encoded: they sit in the kept original at the end of the buffer.
    // The original is 16-aligned, with padding after it up to a multiple of 16.
    let block = bytes.count - (source.count + 15) / 16 * 16
    #expect(block % 16 == 0 && Array(bytes[block..<(block + source.count)]) == source)
    #expect(out.tables(3).allSatisfy { ($0.offset ?? 0) >= block } && out.tables(3).map { $0.uint32(0) } == [100, 101])
    let reader = ByteReaderHelper(bytes)
    let f9 = try field(out, 9), f10 = try field(out, 10), f11 = try field(out, 11)
    let extra = try reader.table(at: f9.position, schema: Self.known, type: "Item")
    #expect(extra.uint32(0) == 7 && extra.bits(1) == 1)
    #expect(reader.u32(f10.position) == 0x1234_5677)
    #expect(bytes[f11.position] == 0x5A)
    // Only the header, the new root and its vtable were added in front of the original.
    #expect(block <= 96)
  }

  @Test("a union member newer than the schema: recorded, kept when preserving, dropped with its tag when compact")
  func unknownUnionMember() throws {
    var b = FlatBufferBuilder()
    b.startTable(); b.addScalar(0, bits: 99, size: 4)
    let member = b.endTable()
    b.startTable(); b.addScalar(2, bits: 5, size: 4); b.addOffset(1, member); b.addScalar(0, bits: 7, size: 1)
    let source = b.finish(root: b.endTable(), identifier: "TEST")
    var holder = try decode(source, "Holder")
    #expect(try field(holder, 1).isOffset)
    #expect(holder.bits(0) == 7 && holder.fields[1] == nil)
    holder.setScalar(2, bits: 6, size: 4)
    let (compact, _) = try encode(holder, source: source, preserve: false)
    let dropped = try decode(compact, "Holder")
    #expect(dropped.bits(0) == nil && dropped.unknownFields.isEmpty && dropped.uint32(2) == 6)
    let (kept, _) = try encode(holder, source: source, preserve: true)
    let out = try decode(kept, "Holder")
    #expect(out.bits(0) == 7 && out.uint32(2) == 6)
    let value = try ByteReaderHelper(kept).table(at: try field(out, 1).position, schema: Self.known, type: "A")
    #expect(value.uint32(0) == 99)
  }
}

/// Follows raw offsets in a finished buffer (tests only).
struct ByteReaderHelper {
  let bytes: [UInt8]
  init(_ bytes: [UInt8]) { self.bytes = bytes }

  func u32(_ at: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
  }

  func table(at slot: Int, schema: FlatBufferSchema, type: String) throws -> FlatBufferTable {
    let target = slot + Int(u32(slot))
    let result: Result<FlatBufferTable, FlatBufferError> = bytes.withUnsafeBytes { raw in
      var decoder = FlatBufferDecoder(bytes: raw, schema: schema)
      do throws(FlatBufferError) { return .success(try decoder.decodeTable(at: target, type: type, depth: 1)) } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }
}

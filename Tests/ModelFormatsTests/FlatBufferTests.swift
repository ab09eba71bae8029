import Testing
@testable import ModelFormats

@Suite struct FlatBufferTests {
  static let schema = FlatBufferSchema(
    specs: ["Root": "4 S V8 VT:Item 1 T:Root 2", "Item": "4 1"], unions: [:])

  func decode(_ bytes: [UInt8]) throws(FlatBufferError) -> FlatBufferTable {
    let result: Result<FlatBufferTable, FlatBufferError> = bytes.withUnsafeBytes { raw in
      var decoder = FlatBufferDecoder(bytes: raw, schema: Self.schema)
      do throws(FlatBufferError) { return .success(try decoder.decodeRoot(type: "Root", identifier: "TEST")) } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  func sample() -> [UInt8] {
    var b = FlatBufferBuilder(capacity: 8)
    let items = (0..<3).map { i -> Int in
      b.startTable(); b.addScalar(0, bits: 7, size: 4); b.addScalar(1, bits: UInt64(i % 2), size: 1); return b.endTable()
    }
    let list = b.createOffsetVector(items)
    let longs = b.createVector([UInt8](repeating: 0xAB, count: 24), elementSize: 8, alignment: 8)
    let name = b.createString("hello")
    b.startTable()
    b.addScalar(0, bits: 42, size: 4); b.addOffset(1, name); b.addOffset(2, longs); b.addOffset(3, list)
    b.addScalar(6, bits: 0x1234, size: 2)
    let root = b.endTable()
    return b.finish(root: root, identifier: "TEST")
  }

  @Test("builder output decodes back to the same values")
  func roundTrip() throws {
    let bytes = sample()
    let root = try decode(bytes)
    #expect(root.uint32(0) == 42)
    #expect(root.bits(6) == 0x1234)
    if case let .source(offset, count)? = root.stringBytes(1) {
      #expect(Array(bytes[offset..<(offset + count)]) == Array("hello".utf8))
    } else {
      Issue.record("string missing")
    }
    let items = root.tables(3)
    #expect(items.count == 3 && items.map { $0.uint32(0) } == [7, 7, 7] && items.map { $0.bits(1) ?? 9 } == [0, 1, 0])
    if case let .source(offset, count)? = root.vectorBytes(2) {
      #expect(count == 24 && offset % 8 == 0)
    } else {
      Issue.record("vector missing")
    }
    #expect(bytes.count % 8 == 0)
  }

  @Test("identical vtables are shared")
  func vtableDedup() {
    var one = FlatBufferBuilder(), many = FlatBufferBuilder()
    one.startTable(); one.addScalar(0, bits: 1, size: 4); one.addScalar(1, bits: 1, size: 4); _ = one.endTable()
    for i in 0..<10 {
      many.startTable(); many.addScalar(0, bits: UInt64(i), size: 4); many.addScalar(1, bits: 2, size: 4)
      _ = many.endTable()
    }
    // One 8-byte vtable and ten 12-byte tables, not ten vtables.
    #expect(one.size == 20)
    #expect(many.size == one.size + 9 * 12)
  }

  @Test("a wrong identifier, a zero or out-of-range offset and misalignment are rejected")
  func rejections() {
    let good = sample()
    var badID = good; badID[4] = 0x58
    #expect(throws: FlatBufferError.badIdentifier(expected: "TEST", found: "XEST")) { try decode(badID) }
    var zero = good; zero[0...3] = [0, 0, 0, 0]
    #expect(throws: FlatBufferError.self) { try decode(zero) }
    var far = good; far[0...3] = [0xF0, 0xFF, 0xFF, 0x7F]
    #expect(throws: FlatBufferError.self) { try decode(far) }
    var odd = good; odd[0] &+= 2
    do { _ = try decode(odd); Issue.record("expected misalignment") } catch {
      if case .misaligned = error {} else { Issue.record("got \(error)") }
    }
    #expect(throws: FlatBufferError.self) { try decode(Array(good.prefix(good.count / 2))) }
  }

  @Test("nesting deeper than 64 tables is rejected")
  func tooDeep() {
    var b = FlatBufferBuilder()
    b.startTable(); var child = b.endTable()
    for _ in 0..<70 { b.startTable(); b.addOffset(5, child); child = b.endTable() }
    let bytes = b.finish(root: child, identifier: "TEST")
    do { _ = try decode(bytes); Issue.record("expected too deep") } catch {
      if case .tooDeep(_, 64) = error {} else { Issue.record("got \(error)") }
    }
  }

  @Test("a string without its zero terminator is rejected")
  func unterminated() throws {
    var bytes = sample()
    let root = try decode(bytes)
    guard case let .source(offset, count)? = root.stringBytes(1) else { Issue.record("no string"); return }
    bytes[offset + count] = 0x21
    #expect(throws: FlatBufferError.self) { try decode(bytes) }
  }
}

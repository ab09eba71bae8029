import Testing
@testable import TensorCore

@Suite("Bounds-checked byte reader")
struct ByteReaderTests {
  @Test("reads little-endian integers and floats in order")
  func readsValues() throws {
    let bytes: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x80, 0x3F, 0xFF]
    try bytes.withUnsafeBytes { raw throws in
      var reader = ByteReader(raw)
      #expect(try reader.read(UInt16.self) == 0x0201)
      #expect(try reader.read(UInt16.self) == 0x0403)
      #expect(try reader.readFloat32() == 1.0)
      #expect(try reader.read(Int8.self) == -1)
      #expect(reader.isAtEnd)
    }
  }

  @Test("reading past the end throws with the offset, never traps")
  func outOfBounds() {
    let bytes: [UInt8] = [1, 2, 3]
    bytes.withUnsafeBytes { raw in
      var reader = ByteReader(raw, baseOffset: 100)
      #expect(throws: ByteReaderError.outOfBounds(offset: 100, needed: 4, available: 3)) { try reader.read(UInt32.self) }
      #expect(throws: ByteReaderError.outOfBounds(offset: 100, needed: -1, available: 3)) { try reader.skip(-1) }
      #expect(throws: ByteReaderError.outOfBounds(offset: 100, needed: Int.max, available: 3)) { try reader.readSlice(Int.max) }
      #expect(throws: ByteReaderError.self) { try reader.slice(at: 2, count: 2) }
      #expect(throws: ByteReaderError.self) { try reader.peek(UInt16.self, at: Int.max - 1) }
      #expect(throws: ByteReaderError.self) { try reader.seek(to: 4) }
    }
  }

  @Test("invalid UTF-8 is an error, not a replacement character")
  func utf8() {
    let bytes: [UInt8] = [0x68, 0x69, 0xFF]
    bytes.withUnsafeBytes { raw in
      var reader = ByteReader(raw)
      #expect(throws: ByteReaderError.invalidUTF8(offset: 0)) { try reader.readUTF8(3) }
    }
  }

  @Test("writer and reader round-trip")
  func roundTrip() throws {
    var writer = ByteWriter()
    writer.write(UInt64(0xDEAD_BEEF_0000_0001))
    writer.writeFloat32(-2.5)
    writer.writeUTF8("héllo")
    writer.pad(toMultipleOf: 8)
    #expect(writer.count % 8 == 0)
    writer.patch(UInt64(7), at: 0)
    try writer.bytes.withUnsafeBytes { raw throws in
      var reader = ByteReader(raw)
      #expect(try reader.read(UInt64.self) == 7)
      #expect(try reader.readFloat32() == -2.5)
      #expect(try reader.readUTF8(6) == "héllo")
    }
  }

  @Test("shape arithmetic reports overflow instead of trapping")
  func shapes() {
    #expect(Shape.elementCount([2, 3, 4]) == 24)
    #expect(Shape.elementCount([]) == 1)
    #expect(Shape.elementCount([Int.max, 2]) == nil)
    #expect(Shape.elementCount([-1, 2]) == nil)
    #expect(Shape.strides([2, 3, 4]) == [12, 4, 1])
    #expect(DType.q4_0.byteCount(elements: 64) == 36)
    #expect(DType.q4_0.byteCount(elements: 33) == nil)
    #expect(DType.i4.byteCount(elements: 5) == 3)
    #expect(DType.f32.byteCount(elements: Int.max) == nil)
  }

  @Test("plain dtypes decode to float32")
  func decoding() {
    // Low nibble first: 0xF → −1, 0x7 → 7, 0x8 → −8, 0x0 → 0.
    let int4: [UInt8] = [0x7F, 0x08]
    let values = int4.withUnsafeBytes { FloatDecoding.decode(.i4, from: $0, count: 4) }
    #expect(values == [-1, 7, -8, 0])
    let halves: [UInt16] = [0x3C00, 0xC000]
    let decoded = halves.withUnsafeBytes { FloatDecoding.decode(.f16, from: $0, count: 2) }
    #expect(decoded == [1, -2])
  }
}

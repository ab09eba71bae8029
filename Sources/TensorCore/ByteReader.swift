/// A bounds-checked little-endian reader over borrowed bytes.
///
/// Every read checks the remaining length first and throws ``ByteReaderError`` instead of trapping,
/// so a lying header can never read past the end of a mapped file. The reader never copies the
/// underlying bytes; slices it returns borrow the same memory and must not outlive it.
public struct ByteReader: @unchecked Sendable {
  /// The bytes being read. Borrowed: the owner (usually a ``MappedFile``) must outlive the reader.
  public let bytes: UnsafeRawBufferPointer
  /// The current position, relative to the start of `bytes`.
  public private(set) var offset: Int
  /// Added to positions in error messages, so a reader over a slice reports file offsets.
  public let baseOffset: Int

  public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0, baseOffset: Int = 0) {
    self.bytes = bytes
    self.offset = max(0, min(offset, bytes.count))
    self.baseOffset = baseOffset
  }

  /// Bytes left between the cursor and the end.
  public var remaining: Int { bytes.count - offset }
  public var isAtEnd: Bool { offset >= bytes.count }

  /// Moves the cursor to an absolute position within `bytes`.
  public mutating func seek(to position: Int) throws(ByteReaderError) {
    guard position >= 0, position <= bytes.count else {
      throw .outOfBounds(offset: baseOffset &+ position, needed: 0, available: bytes.count - min(max(position, 0), bytes.count))
    }
    offset = position
  }

  public mutating func skip(_ count: Int) throws(ByteReaderError) {
    try require(count)
    offset += count
  }

  /// Throws unless `count` more bytes are available at the cursor.
  public func require(_ count: Int) throws(ByteReaderError) {
    guard count >= 0, count <= remaining else {
      throw .outOfBounds(offset: baseOffset &+ offset, needed: count, available: remaining)
    }
  }

  /// Reads a fixed-width integer stored little-endian.
  public mutating func read<T: FixedWidthInteger>(_ type: T.Type = T.self) throws(ByteReaderError) -> T {
    let size = MemoryLayout<T>.size
    try require(size)
    let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
    offset += size
    return T(littleEndian: value)
  }

  public mutating func readFloat32() throws(ByteReaderError) -> Float {
    Float(bitPattern: try read(UInt32.self))
  }

  public mutating func readFloat64() throws(ByteReaderError) -> Double {
    Double(bitPattern: try read(UInt64.self))
  }

  /// Returns the next `count` bytes without copying and advances past them.
  public mutating func readSlice(_ count: Int) throws(ByteReaderError) -> UnsafeRawBufferPointer {
    try require(count)
    let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    offset += count
    return slice
  }

  public mutating func readBytes(_ count: Int) throws(ByteReaderError) -> [UInt8] {
    Array(try readSlice(count))
  }

  /// Reads `count` bytes as UTF-8; invalid sequences are an error, not a replacement character.
  public mutating func readUTF8(_ count: Int) throws(ByteReaderError) -> String {
    let start = baseOffset &+ offset
    let slice = try readSlice(count)
    guard let string = String(validating: slice.bindMemory(to: UInt8.self), as: UTF8.self) else {
      throw .invalidUTF8(offset: start)
    }
    return string
  }

  /// Reads a value at an absolute position without moving the cursor.
  public func peek<T: FixedWidthInteger>(_ type: T.Type = T.self, at position: Int) throws(ByteReaderError) -> T {
    let size = MemoryLayout<T>.size
    guard position >= 0, position <= bytes.count - size else {
      throw .outOfBounds(offset: baseOffset &+ position, needed: size, available: max(0, bytes.count - max(position, 0)))
    }
    return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
  }

  /// A bounds-checked sub-range of the bytes, as a slice that borrows the same memory.
  public func slice(at position: Int, count: Int) throws(ByteReaderError) -> UnsafeRawBufferPointer {
    guard position >= 0, count >= 0, position <= bytes.count, count <= bytes.count - position else {
      throw .outOfBounds(offset: baseOffset &+ position, needed: count, available: max(0, bytes.count - max(position, 0)))
    }
    return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
  }
}

/// Why a ``ByteReader`` refused to read.
public enum ByteReaderError: Error, Equatable, Sendable, CustomStringConvertible {
  /// `needed` bytes were requested at `offset` but only `available` remain.
  case outOfBounds(offset: Int, needed: Int, available: Int)
  case invalidUTF8(offset: Int)

  public var description: String {
    switch self {
    case let .outOfBounds(offset, needed, available):
      return "unexpected end of data at offset \(offset) (need \(needed) bytes, \(available) available)"
    case let .invalidUTF8(offset):
      return "invalid UTF-8 text at offset \(offset)"
    }
  }
}

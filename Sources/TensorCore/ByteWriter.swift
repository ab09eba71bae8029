/// An append-only little-endian byte buffer for building files in memory.
public struct ByteWriter: Sendable {
  public private(set) var bytes: [UInt8] = []

  public init(reservingCapacity capacity: Int = 0) {
    bytes.reserveCapacity(capacity)
  }

  public var count: Int { bytes.count }

  public mutating func write<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  public mutating func writeFloat32(_ value: Float) { write(value.bitPattern) }
  public mutating func writeFloat64(_ value: Double) { write(value.bitPattern) }

  public mutating func write(bytes other: some Sequence<UInt8>) { bytes.append(contentsOf: other) }
  public mutating func write(raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }

  public mutating func writeUTF8(_ string: String) { bytes.append(contentsOf: Array(string.utf8)) }

  /// Appends `byte` until the length is a multiple of `alignment`.
  public mutating func pad(toMultipleOf alignment: Int, with byte: UInt8 = 0) {
    guard alignment > 1 else { return }
    let rest = bytes.count % alignment
    if rest != 0 { bytes.append(contentsOf: repeatElement(byte, count: alignment - rest)) }
  }

  /// Overwrites a previously written integer, e.g. a length known only later.
  public mutating func patch<T: FixedWidthInteger>(_ value: T, at position: Int) {
    withUnsafeBytes(of: value.littleEndian) { raw in
      for (i, byte) in raw.enumerated() { bytes[position + i] = byte }
    }
  }
}

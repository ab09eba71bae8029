import TensorCore

/// A ByteReader that speaks in FormatErrors: every failure names the file and what was being read.
struct GGUFCursor {
  var reader: ByteReader
  let file: String

  init(bytes: UnsafeRawBufferPointer, file: String) {
    reader = ByteReader(bytes)
    self.file = file
  }

  var offset: Int { reader.offset }
  var remaining: Int { reader.remaining }

  mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: @autoclosure () -> String) throws(FormatError) -> T {
    do { return try reader.read(T.self) } catch { throw FormatError.from(error, file: file, reading: what()) }
  }

  /// A u64 length/count, converted to Int and checked against what is left to read: each element
  /// needs at least `minimumSize` bytes, so a lying count fails before anything is allocated.
  mutating func readCount(_ what: @autoclosure () -> String, minimumSize: Int) throws(FormatError) -> Int {
    let start = offset
    let raw = try read(UInt64.self, what())
    guard let count = Int(exactly: raw), let bytes = Checked.multiply(count, max(minimumSize, 0)),
      bytes <= remaining
    else {
      let needed = Int(exactly: raw).flatMap { Checked.multiply($0, max(minimumSize, 1)) } ?? Int.max
      throw .truncated(file: file, what: "\(what()) (\(raw))", offset: start, needed: needed, available: remaining)
    }
    return count
  }

  /// A GGUF string: u64 byte length, then UTF-8 bytes.
  mutating func readString(_ what: @autoclosure () -> String) throws(FormatError) -> String {
    let count = try readCount("length of \(what())", minimumSize: 1)
    do { return try reader.readUTF8(count) } catch { throw FormatError.from(error, file: file, reading: what()) }
  }

  mutating func seek(to position: Int, _ what: @autoclosure () -> String) throws(FormatError) {
    do { try reader.seek(to: position) } catch { throw FormatError.from(error, file: file, reading: what()) }
  }
}

import TensorCore

/// Finds where a STORED zip member's bytes start, which ZIPFoundation does not expose.
///
/// Reads the end-of-central-directory record, walks the central directory to the member, then its
/// local header — all through bounds-checked readers. ZIP64 archives (over 4 GiB or 65,535
/// members) return nil, and the caller falls back to inflating through ZIPFoundation.
enum KerasZipLocator {
  static func storedRange(of member: String, in file: MappedFile, path: String) throws(FormatError) -> (offset: Int, count: Int)? {
    do throws(ByteReaderError) {
      guard let end = findEndRecord(file) else { return nil }
      var reader = file.reader()
      try reader.seek(to: end + 10)
      let entryCount = Int(try reader.read(UInt16.self))
      _ = try reader.read(UInt32.self)  // central directory size
      let directoryOffset = try reader.read(UInt32.self)
      guard directoryOffset != 0xFFFF_FFFF, entryCount != 0xFFFF else { return nil }
      try reader.seek(to: Int(directoryOffset))
      for _ in 0..<entryCount {
        guard try reader.read(UInt32.self) == 0x0201_4B50 else { return nil }
        try reader.skip(6)
        let method = try reader.read(UInt16.self)
        try reader.skip(8)
        let compressed = try reader.read(UInt32.self)
        let size = try reader.read(UInt32.self)
        let nameLength = Int(try reader.read(UInt16.self))
        let extraLength = Int(try reader.read(UInt16.self))
        let commentLength = Int(try reader.read(UInt16.self))
        try reader.skip(8)
        let localOffset = try reader.read(UInt32.self)
        let name = try reader.readBytes(nameLength)
        try reader.skip(extraLength + commentLength)
        guard name.elementsEqual(member.utf8) else { continue }
        guard method == 0, compressed == size, size != 0xFFFF_FFFF, localOffset != 0xFFFF_FFFF else { return nil }
        var local = file.reader()
        try local.seek(to: Int(localOffset))
        // A bad local header: let ZIPFoundation's own checks report it on the fallback path.
        guard try local.read(UInt32.self) == 0x0403_4B50 else { return nil }
        try local.skip(22)
        let localName = Int(try local.read(UInt16.self))
        let localExtra = Int(try local.read(UInt16.self))
        let start = Int(localOffset) + 30 + localName + localExtra
        _ = try file.slice(offset: start, count: Int(size))
        return (start, Int(size))
      }
      return nil
    } catch {
      throw FormatError.from(error, file: path, reading: "zip directory entry of '\(member)'")
    }
  }

  /// Offset of the end-of-central-directory signature, searched backwards over the comment area.
  static func findEndRecord(_ file: MappedFile) -> Int? {
    let bytes = file.bytes
    guard bytes.count >= 22 else { return nil }
    let lowest = max(0, bytes.count - 22 - 0xFFFF)
    var position = bytes.count - 22
    while position >= lowest {
      if bytes[position] == 0x50, bytes[position + 1] == 0x4B, bytes[position + 2] == 0x05, bytes[position + 3] == 0x06 {
        return position
      }
      position -= 1
    }
    return nil
  }
}

import TensorCore

/// A .npz file: a zip archive of .npy members, as `np.savez` (stored) or `np.savez_compressed`
/// (deflated, inflated in memory) writes it. The central directory is parsed with bounds checks;
/// zip64 sizes are understood.
public struct NumPyArchive: Sendable {
  /// Arrays by member name without the ".npy" suffix ("x", "y").
  public var arrays: [String: NumPyArray]

  public init(arrays: [String: NumPyArray]) { self.arrays = arrays }

  /// Reads a .npz (or a single .npy, listed as "x") from disk.
  public static func load(path: String) throws(EvaluationError) -> NumPyArchive {
    let file: MappedFile
    do { file = try MappedFile(path: path) } catch { throw .badData(file: path, reason: "cannot open: \(error)") }
    if path.hasSuffix(".npy") { return NumPyArchive(arrays: ["x": try NumPyArray.parse(file.bytes, file: path)]) }
    return try parse(file.bytes, file: path)
  }

  /// Parses the bytes of a .npz file.
  public static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws(EvaluationError) -> NumPyArchive {
    func bad(_ reason: String) -> EvaluationError { .badData(file: file, reason: reason) }
    let reader = ByteReader(bytes)
    do {
      let end = try findEndRecord(reader)
      guard end.directoryOffset <= bytes.count else { throw bad("zip directory offset \(end.directoryOffset) is past the end") }
      var cursor = ByteReader(bytes, offset: end.directoryOffset)
      var arrays: [String: NumPyArray] = [:]
      for _ in 0..<end.entryCount {
        let signature: UInt32 = try cursor.read()
        guard signature == 0x0201_4B50 else {
          throw bad("zip directory entry at offset \(cursor.offset - 4) has a bad signature")
        }
        try cursor.skip(6)
        let method: UInt16 = try cursor.read()
        try cursor.skip(4)
        let crc: UInt32 = try cursor.read()
        var compressed = Int(try cursor.read(UInt32.self))
        var size = Int(try cursor.read(UInt32.self))
        let nameLength = Int(try cursor.read(UInt16.self))
        let extraLength = Int(try cursor.read(UInt16.self))
        let commentLength = Int(try cursor.read(UInt16.self))
        try cursor.skip(8)
        var localOffset = Int(try cursor.read(UInt32.self))
        let name = try cursor.readUTF8(nameLength)
        var extra = ByteReader(try cursor.readSlice(extraLength))
        try cursor.skip(commentLength)
        // Zip64: fields stored as 0xFFFFFFFF are in the 0x0001 extra block, in this order.
        while extra.remaining >= 4 {
          let id: UInt16 = try extra.read()
          let length = Int(try extra.read(UInt16.self))
          var block = ByteReader(try extra.readSlice(length))
          guard id == 0x0001 else { continue }
          if size == 0xFFFF_FFFF { size = Int(clamping: try block.read(UInt64.self)) }
          if compressed == 0xFFFF_FFFF { compressed = Int(clamping: try block.read(UInt64.self)) }
          if localOffset == 0xFFFF_FFFF { localOffset = Int(clamping: try block.read(UInt64.self)) }
        }
        guard name.hasSuffix(".npy") else { continue }
        let key = String(name.dropLast(4))
        guard method == 0 || method == 8 else {
          throw bad("member '\(name)' uses zip compression method \(method); np.savez (stored) and np.savez_compressed (deflate) are read")
        }
        guard method == 8 || compressed == size else { throw bad("member '\(name)' is stored with mismatched sizes") }
        let local = ByteReader(bytes)
        guard try local.peek(UInt32.self, at: localOffset) == 0x0403_4B50 else {
          throw bad("member '\(name)' local header at offset \(localOffset) has a bad signature")
        }
        let localName = Int(try local.peek(UInt16.self, at: localOffset + 26))
        let localExtra = Int(try local.peek(UInt16.self, at: localOffset + 28))
        let dataOffset = localOffset + 30 + localName + localExtra
        let data = try local.slice(at: dataOffset, count: compressed)
        if method == 8 {
          let inflated = try inflate(data, size: size, crc: crc, member: name, file: file)
          arrays[key] = try inflated.withUnsafeBytes { (raw) throws(EvaluationError) in
            try NumPyArray.parse(raw, file: "\(file) member '\(name)'")
          }
        } else {
          arrays[key] = try NumPyArray.parse(data, file: "\(file) member '\(name)'")
        }
      }
      return NumPyArchive(arrays: arrays)
    } catch let error as EvaluationError {
      throw error
    } catch let error as ByteReaderError {
      throw bad("not a valid .npz (zip) file: \(error.description)")
    } catch {
      throw bad("\(error)")
    }
  }

  /// The end-of-central-directory record: searched backwards over the trailing comment.
  static func findEndRecord(_ reader: ByteReader) throws(ByteReaderError) -> (entryCount: Int, directoryOffset: Int) {
    let count = reader.bytes.count
    guard count >= 22 else { throw .outOfBounds(offset: 0, needed: 22, available: count) }
    var position = count - 22
    let lowest = max(0, count - 22 - 65_535)
    while position >= lowest {
      if try reader.peek(UInt32.self, at: position) == 0x0605_4B50 {
        var entries = Int(try reader.peek(UInt16.self, at: position + 10))
        var offset = Int(try reader.peek(UInt32.self, at: position + 16))
        // Zip64 end record locator sits just before the classic record.
        if (entries == 0xFFFF || offset == 0xFFFF_FFFF), position >= 20,
          try reader.peek(UInt32.self, at: position - 20) == 0x0706_4B50
        {
          let record = Int(clamping: try reader.peek(UInt64.self, at: position - 12))
          guard try reader.peek(UInt32.self, at: record) == 0x0606_4B50 else {
            throw .outOfBounds(offset: record, needed: 4, available: 0)
          }
          entries = Int(clamping: try reader.peek(UInt64.self, at: record + 32))
          offset = Int(clamping: try reader.peek(UInt64.self, at: record + 48))
        }
        return (entries, offset)
      }
      position -= 1
    }
    throw .outOfBounds(offset: count, needed: 22, available: 0)
  }
}

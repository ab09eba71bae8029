import TensorCore

/// Parses a GGUF (v2 or v3) header, metadata and tensor infos, checking them the way ggml's own
/// reader does, so a file we accept is one llama.cpp accepts.
public enum GGUFParser {
  /// "GGUF" read as a little-endian u32.
  public static let magic: UInt32 = 0x4655_4747

  /// Parses the structure of `bytes`, the whole file. `file` is used in error messages.
  public static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws(FormatError) -> GGUFFile {
    var cursor = GGUFCursor(bytes: bytes, file: file)
    let found = try cursor.read(UInt32.self, "GGUF magic")
    guard found == magic else {
      throw .invalid(file: file, what: "GGUF magic", offset: 0, reason: "expected \"GGUF\", found \(describeMagic(found))")
    }
    let version = try cursor.read(UInt32.self, "GGUF version")
    try checkVersion(version, file: file)
    // A key needs ≥ 8 (length) + 1 + 4 (type) + 1 bytes; a tensor info ≥ 8 + 1 + 4 + 4 + 8.
    let tensorCount = try cursor.readCount("tensor count", minimumSize: 25)
    let kvCount = try cursor.readCount("metadata key/value count", minimumSize: 14)

    var metadata: [GGUFKeyValue] = []
    metadata.reserveCapacity(kvCount)
    var seenKeys = Set<String>()
    for index in 0..<kvCount {
      let start = cursor.offset
      let key = try cursor.readString("metadata key #\(index)")
      guard !key.isEmpty else { throw .invalid(file: file, what: "metadata key #\(index)", offset: start, reason: "empty key") }
      guard seenKeys.insert(key).inserted else {
        throw .invalid(file: file, what: "metadata key '\(key)'", offset: start, reason: "duplicate key")
      }
      let value = try GGUFValueReader.readValue(&cursor, key: key)
      metadata.append(GGUFKeyValue(key: key, value: value))
    }
    let alignment = try readAlignment(metadata, file: file)

    var infos: [GGUFTensorInfo] = []
    infos.reserveCapacity(tensorCount)
    var seenNames = Set<String>()
    for index in 0..<tensorCount {
      let info = try readTensorInfo(&cursor, index: index)
      guard seenNames.insert(info.name).inserted else {
        throw .badTensor(file: file, tensor: info.name, offset: info.recordOffset, reason: "duplicate tensor name")
      }
      infos.append(info)
    }

    guard let dataOffset = GGUFLayout.alignUp(cursor.offset, to: alignment) else {
      throw .invalid(file: file, what: "data section", offset: cursor.offset, reason: "offset overflows")
    }
    try checkPlacement(infos, dataOffset: dataOffset, alignment: alignment, fileSize: bytes.count, file: file)
    return GGUFFile(version: version, metadata: metadata, tensors: infos, alignment: alignment, dataOffset: dataOffset)
  }

  static func checkVersion(_ version: UInt32, file: String) throws(FormatError) {
    if version & 0xFFFF == 0 && version != 0 {
      throw .unsupported(
        file: file, what: "byte order",
        reason: "big-endian GGUF (version field reads 0x\(String(version, radix: 16))); QuantScope reads little-endian GGUF only — convert it with gguf-py's gguf-convert-endian")
    }
    switch version {
    case 2, 3: return
    case 1: throw .unsupported(file: file, what: "GGUF version 1", reason: "GGUF v1 is no longer supported by ggml; re-convert the model")
    default: throw .unsupported(file: file, what: "GGUF version \(version)", reason: "only versions 2 and 3 are known")
    }
  }

  static func readAlignment(_ metadata: [GGUFKeyValue], file: String) throws(FormatError) -> Int {
    guard let entry = metadata.first(where: { $0.key == "general.alignment" }) else { return GGUFFile.defaultAlignment }
    guard case let .uint32(value) = entry.value else {
      throw .invalid(file: file, what: "metadata key 'general.alignment'", offset: nil, reason: "must be UINT32, found \(entry.value.type.name)")
    }
    guard value > 0, value & (value - 1) == 0 else {
      throw .invalid(file: file, what: "metadata key 'general.alignment'", offset: nil, reason: "\(value) is not a power of two")
    }
    return Int(value)
  }

  static func readTensorInfo(_ cursor: inout GGUFCursor, index: Int) throws(FormatError) -> GGUFTensorInfo {
    let file = cursor.file
    let start = cursor.offset
    let name = try cursor.readString("name of tensor #\(index)")
    let nDims = try cursor.read(UInt32.self, "dimension count of tensor '\(name)'")
    guard nDims <= 4 else {
      throw .badTensor(file: file, tensor: name, offset: start, reason: "\(nDims) dimensions (ggml allows at most 4)")
    }
    var ne: [Int] = []
    for axis in 0..<Int(nDims) {
      let raw = try cursor.read(UInt64.self, "dimension \(axis) of tensor '\(name)'")
      guard let dim = Int(exactly: raw) else {
        throw .badTensor(file: file, tensor: name, offset: start, reason: "dimension \(axis) (\(raw)) is too large")
      }
      ne.append(dim)
    }
    let typeID = try cursor.read(UInt32.self, "type of tensor '\(name)'")
    let rawOffset = try cursor.read(UInt64.self, "data offset of tensor '\(name)'")
    guard let type = GGMLTypeTable.dtype(of: typeID) else {
      if let known = GGMLTypeTable.knownButUnsupported[typeID] {
        throw .unsupported(file: file, what: "tensor '\(name)' type", reason: "ggml type \(typeID) (\(known)) is not supported")
      }
      throw .badTensor(file: file, tensor: name, offset: start, reason: "unknown ggml type id \(typeID)")
    }
    guard let elements = Shape.elementCount(ne) else {
      throw .badTensor(file: file, tensor: name, offset: start, reason: "shape \(ne) overflows")
    }
    let row = ne.first ?? 1
    guard row % type.blockSize == 0, let bytes = type.byteCount(elements: elements) else {
      throw .badTensor(
        file: file, tensor: name, offset: start,
        reason: "row length \(row) is not a multiple of \(type.rawValue)'s block size \(type.blockSize)")
    }
    guard let offset = Int(exactly: rawOffset) else {
      throw .badTensor(file: file, tensor: name, offset: start, reason: "data offset \(rawOffset) is too large")
    }
    return GGUFTensorInfo(name: name, ne: ne, type: type, relativeOffset: offset, byteCount: bytes, recordOffset: start)
  }

  /// ggml requires each tensor exactly at the padded end of the one before it, in info order.
  static func checkPlacement(
    _ infos: [GGUFTensorInfo], dataOffset: Int, alignment: Int, fileSize: Int, file: String
  ) throws(FormatError) {
    var expected = 0
    for info in infos {
      let at = info.relativeOffset
      guard at % alignment == 0 else {
        throw .badTensor(file: file, tensor: info.name, offset: info.recordOffset, reason: "data offset \(at) is not a multiple of the alignment \(alignment)")
      }
      if at < expected {
        throw .badTensor(file: file, tensor: info.name, offset: info.recordOffset, reason: "data offset \(at) overlaps the previous tensor (expected \(expected))")
      }
      if at > expected {
        throw .badTensor(
          file: file, tensor: info.name, offset: info.recordOffset,
          reason: "data offset \(at) leaves a gap after the previous tensor (expected \(expected); ggml requires tensors packed in order)")
      }
      guard let absolute = Checked.add(dataOffset, at), let end = Checked.add(absolute, info.byteCount),
        let padded = GGUFLayout.alignUp(info.byteCount, to: alignment), let next = Checked.add(expected, padded)
      else {
        throw .badTensor(file: file, tensor: info.name, offset: info.recordOffset, reason: "data range overflows")
      }
      guard end <= fileSize else {
        throw .truncated(file: file, what: "data of tensor '\(info.name)'", offset: absolute, needed: info.byteCount, available: max(0, fileSize - absolute))
      }
      expected = next
    }
  }

  static func describeMagic(_ value: UInt32) -> String {
    let bytes = (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
      return "\"" + String(decoding: bytes, as: UTF8.self) + "\""
    }
    return bytes.map { "0x" + String($0, radix: 16) }.joined(separator: " ")
  }
}

/// Alignment helpers shared by the reader and the writer.
public enum GGUFLayout {
  /// `value` rounded up to a multiple of `alignment`, nil on overflow.
  public static func alignUp(_ value: Int, to alignment: Int) -> Int? {
    guard alignment > 0 else { return nil }
    let rest = value % alignment
    return rest == 0 ? value : Checked.add(value, alignment - rest)
  }
}

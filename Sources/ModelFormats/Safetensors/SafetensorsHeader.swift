import TensorCore

extension SafetensorsFormat {
  /// The reference implementation's limit on the JSON header (`MAX_HEADER_SIZE`).
  public static let maxHeaderBytes = 100_000_000

  /// The dtype names safetensors defines that we can represent. Sub-byte types (F4, F6_*) are
  /// valid safetensors but have no ``DType``; they are reported as unsupported, not unknown.
  static let dtypeNames: [String: DType] = [
    "BOOL": .bool, "U8": .u8, "I8": .i8, "I16": .i16, "U16": .u16, "F16": .f16, "BF16": .bf16,
    "I32": .i32, "U32": .u32, "F32": .f32, "F64": .f64, "I64": .i64, "U64": .u64, "C64": .c64,
    "F8_E4M3": .f8e4m3, "F8_E5M2": .f8e5m2, "F8_E8M0": .f8e8m0, "F8_E4M3FNUZ": .f8e4m3fnuz,
    "F8_E5M2FNUZ": .f8e5m2fnuz,
  ]
  static let subByteDTypeNames: Set<String> = ["F4", "F6_E2M3", "F6_E3M2"]

  /// A parsed and validated safetensors header.
  struct Header: Sendable {
    /// One tensor entry, in the order it appears in the JSON text.
    struct Entry: Sendable, Equatable {
      var name: String
      var dtype: DType
      var shape: [Int]
      /// Offsets relative to the start of the data buffer; `end` is exclusive.
      var begin: Int
      var end: Int
      /// File offset of the entry's key in the header, for error messages.
      var headerOffset: Int
    }

    var entries: [Entry]
    /// `__metadata__`, in file order.
    var metadata: [(key: String, value: String)]
    /// N, the JSON length.
    var jsonLength: Int
    /// 8 + N: where the data buffer starts in the file.
    var dataStart: Int
  }
}

extension SafetensorsFormat.Header {
  /// Reads and validates the header of `file` with the reference implementation's rules.
  static func read(_ file: MappedFile, path: String) throws(FormatError) -> Self {
    var reader = file.reader()
    let declared: UInt64
    do { declared = try reader.read(UInt64.self) } catch {
      throw .truncated(file: path, what: "safetensors header length (header too small)", offset: 0, needed: 8, available: file.count)
    }
    guard let length = Checked.int(declared), length <= SafetensorsFormat.maxHeaderBytes else {
      throw .invalid(
        file: path, what: "safetensors header length", offset: 0,
        reason: "header too large: \(declared) bytes (the limit is \(SafetensorsFormat.maxHeaderBytes))")
    }
    guard length <= reader.remaining else {
      throw .truncated(file: path, what: "safetensors JSON header", offset: 8, needed: length, available: reader.remaining)
    }
    let text: UnsafeRawBufferPointer
    do {
      var check = reader
      _ = try check.readUTF8(length)
      text = try reader.readSlice(length)
    } catch {
      throw FormatError.from(error, file: path, reading: "safetensors JSON header")
    }
    let json: SafetensorsFormat.JSON
    do { json = try .parse(text) } catch {
      throw .invalid(file: path, what: "safetensors JSON header", offset: 8 + error.offset, reason: error.reason)
    }
    let header = try parse(json, path: path, jsonLength: length)
    try header.validateLayout(fileSize: file.count, path: path)
    return header
  }

  /// Turns the JSON object into entries, checking each field's type.
  static func parse(_ json: SafetensorsFormat.JSON, path: String, jsonLength: Int) throws(FormatError) -> Self {
    guard case let .object(members) = json else {
      throw .invalid(file: path, what: "safetensors JSON header", offset: 8, reason: "expected an object, found \(json.typeName)")
    }
    var entries: [Entry] = []
    var metadata: [(key: String, value: String)] = []
    var seen = Set<String>()
    for member in members {
      let at = 8 + member.offset
      guard seen.insert(member.key).inserted else {
        throw .badTensor(file: path, tensor: member.key, offset: at, reason: "appears twice in the header (duplicate keys are not allowed)")
      }
      if member.key == "__metadata__" {
        metadata = try parseMetadata(member.value, path: path, offset: at)
      } else {
        entries.append(try parseEntry(member, path: path))
      }
    }
    return Self(entries: entries, metadata: metadata, jsonLength: jsonLength, dataStart: 8 + jsonLength)
  }

  static func parseMetadata(_ value: SafetensorsFormat.JSON, path: String, offset: Int) throws(FormatError) -> [(key: String, value: String)] {
    if value == .null { return [] }
    guard case let .object(members) = value else {
      throw .invalid(file: path, what: "__metadata__", offset: offset, reason: "expected an object of strings, found \(value.typeName)")
    }
    var pairs: [(key: String, value: String)] = []
    for member in members {
      guard let text = member.value.stringValue else {
        throw .invalid(
          file: path, what: "__metadata__ entry '\(member.key)'", offset: 8 + member.offset,
          reason: "invalid type: \(member.value.typeName), expected a string")
      }
      pairs.append((member.key, text))
    }
    return pairs
  }

  static func parseEntry(_ member: SafetensorsFormat.JSON.Member, path: String) throws(FormatError) -> Entry {
    let name = member.key, at = 8 + member.offset
    func bad(_ reason: String) -> FormatError { .badTensor(file: path, tensor: name, offset: at, reason: reason) }
    guard case .object = member.value else { throw bad("expected an object with dtype, shape and data_offsets, found \(member.value.typeName)") }
    guard let dtypeName = member.value["dtype"]?.stringValue else { throw bad("missing or non-string 'dtype'") }
    guard let dtype = SafetensorsFormat.dtypeNames[dtypeName] else {
      if SafetensorsFormat.subByteDTypeNames.contains(dtypeName) {
        throw .unsupported(file: path, what: "dtype \(dtypeName) of tensor '\(name)'", reason: "sub-byte float types are not supported yet")
      }
      throw bad("unknown dtype '\(dtypeName)'")
    }
    guard case let .array(dims)? = member.value["shape"] else { throw bad("missing or non-array 'shape'") }
    var shape: [Int] = []
    for dim in dims {
      guard let value = dim.nonNegativeInt else {
        throw bad("shape dimension \(dim.compactText()) is not a non-negative integer")
      }
      shape.append(value)
    }
    guard case let .array(offsets)? = member.value["data_offsets"], offsets.count == 2,
      let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt
    else {
      throw bad("'data_offsets' must be two non-negative integers [begin, end]")
    }
    return Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end, headerOffset: at)
  }
}

import Testing
import TensorCore

@testable import ModelFormats

/// Every way the reference implementation rejects a file gets its own, exact error.
@Suite struct SafetensorsMalformedTests {
  /// Writes `bytes` to a new file and returns its path with the error opening it raised.
  func openError(_ bytes: [UInt8]) throws -> (path: String, error: FormatError?) {
    let path = try SafetensorsFixtures.makeFolder() + "/bad.safetensors"
    try SafetensorsFixtures.write(bytes, to: path)
    do {
      _ = try SafetensorsFormat.open(path: path)
      return (path, nil)
    } catch {
      return (path, error)
    }
  }

  /// File offset of the first occurrence of `needle` in the JSON header.
  func offset(of needle: String, in json: String) -> Int {
    let hay = Array(json.utf8), pin = Array(needle.utf8)
    let index = (0...(hay.count - pin.count)).first { Array(hay[$0..<($0 + pin.count)]) == pin } ?? -1
    return 8 + index
  }

  func entry(_ name: String, _ dtype: String, _ shape: String, _ begin: Int, _ end: Int) -> String {
    "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(end)]}"
  }

  @Test("a file shorter than the 8-byte length is 'header too small'")
  func headerTooSmall() throws {
    let (path, error) = try openError([1, 0, 0])
    #expect(error == .truncated(file: path, what: "safetensors header length (header too small)", offset: 0, needed: 8, available: 3))
  }

  @Test("a declared header over 100,000,000 bytes is 'header too large'")
  func headerTooLarge() throws {
    let (path, error) = try openError(SafetensorsFixtures.raw(json: "{}", declaredLength: 100_000_001))
    #expect(error == .invalid(file: path, what: "safetensors header length", offset: 0, reason: "header too large: 100000001 bytes (the limit is 100000000)"))
    let (path2, error2) = try openError(SafetensorsFixtures.raw(json: "{}", declaredLength: UInt64.max))
    #expect(error2 == .invalid(file: path2, what: "safetensors header length", offset: 0, reason: "header too large: \(UInt64.max) bytes (the limit is 100000000)"))
  }

  @Test("a header length pointing past the end of the file is a truncation")
  func lyingHeaderLength() throws {
    let (path, error) = try openError(SafetensorsFixtures.raw(json: "{}", declaredLength: 500))
    #expect(error == .truncated(file: path, what: "safetensors JSON header", offset: 8, needed: 500, available: 2))
  }

  @Test("invalid UTF-8 in the header")
  func invalidUTF8() throws {
    let (path, error) = try openError(SafetensorsFixtures.raw(jsonBytes: Array("{\"a".utf8) + [0xFF] + Array("\":1}".utf8)))
    #expect(error == .invalid(file: path, what: "safetensors JSON header", offset: 8, reason: "text is not valid UTF-8"))
  }

  @Test("invalid JSON, NUL padding and a non-object header")
  func invalidJSON() throws {
    let (path, error) = try openError(SafetensorsFixtures.raw(json: "{\"a\":"))
    #expect(error == .invalid(file: path, what: "safetensors JSON header", offset: 8 + 5, reason: "unexpected end of JSON"))
    let (path2, error2) = try openError(SafetensorsFixtures.raw(jsonBytes: Array("{}".utf8) + [0, 0]))
    #expect(error2 == .invalid(file: path2, what: "safetensors JSON header", offset: 8 + 2, reason: "trailing characters after the JSON value"))
    let (path3, error3) = try openError(SafetensorsFixtures.raw(json: "[1]"))
    #expect(error3 == .invalid(file: path3, what: "safetensors JSON header", offset: 8, reason: "expected an object, found array"))
  }

  @Test("deeply nested JSON is an error, not a stack overflow")
  func deepNesting() throws {
    let json = "{\"__metadata__\":" + String(repeating: "[", count: 100_000) + "}"
    let (path, error) = try openError(SafetensorsFixtures.raw(json: json))
    #expect(error == .invalid(file: path, what: "safetensors JSON header", offset: 8 + 16 + 127, reason: "nesting deeper than 128 levels"))
  }

  @Test("a non-string __metadata__ value is rejected, naming the key")
  func nonStringMetadata() throws {
    let json = "{\"__metadata__\":{\"format\":\"pt\",\"epoch\":3}}"
    let (path, error) = try openError(SafetensorsFixtures.raw(json: json))
    #expect(error == .invalid(file: path, what: "__metadata__ entry 'epoch'", offset: offset(of: "\"epoch\"", in: json), reason: "invalid type: number, expected a string"))
  }

  @Test("an unknown dtype names the tensor and its place in the header; sub-byte types are unsupported")
  func unknownDType() throws {
    let json = "{" + entry("a", "U8", "[1]", 0, 1) + "," + entry("w", "Q4_0", "[1]", 1, 2) + "}"
    let (path, error) = try openError(SafetensorsFixtures.raw(json: json, data: [0, 0]))
    #expect(error == .badTensor(file: path, tensor: "w", offset: offset(of: "\"w\"", in: json), reason: "unknown dtype 'Q4_0'"))
    let (path2, error2) = try openError(SafetensorsFixtures.raw(json: "{" + entry("f", "F4", "[2]", 0, 1) + "}", data: [0]))
    #expect(error2 == .unsupported(file: path2, what: "dtype F4 of tensor 'f'", reason: "sub-byte float types are not supported yet"))
  }

  @Test("negative, fractional and overflowing shapes")
  func badShapes() throws {
    let negative = "{" + entry("n", "F32", "[-1]", 0, 4) + "}"
    let (path, error) = try openError(SafetensorsFixtures.raw(json: negative, data: [0, 0, 0, 0]))
    #expect(error == .badTensor(file: path, tensor: "n", offset: 9, reason: "shape dimension -1 is not a non-negative integer"))
    let fraction = "{" + entry("n", "F32", "[1.5]", 0, 4) + "}"
    let (path2, error2) = try openError(SafetensorsFixtures.raw(json: fraction, data: [0, 0, 0, 0]))
    #expect(error2 == .badTensor(file: path2, tensor: "n", offset: 9, reason: "shape dimension 1.5 is not a non-negative integer"))
    let overflow = "{" + entry("o", "F32", "[4294967296,4294967296]", 0, 0) + "}"
    let (path3, error3) = try openError(SafetensorsFixtures.raw(json: overflow))
    #expect(error3 == .badTensor(file: path3, tensor: "o", offset: 8 + overflow.utf8.count, reason: "shape [4294967296, 4294967296] has too many elements (the size overflows)"))
  }

  @Test("end before begin")
  func endBeforeBegin() throws {
    let json = "{" + entry("r", "U8", "[0]", 4, 0) + "}"
    let (path, error) = try openError(SafetensorsFixtures.raw(json: json, data: [0, 0, 0, 0]))
    #expect(error == .badTensor(file: path, tensor: "r", offset: 8 + json.utf8.count + 4, reason: "invalid data_offsets [4, 0]: end is before begin"))
  }

  @Test("a gap between tensors and an overlap are each rejected, naming the tensor")
  func gapAndOverlap() throws {
    let gap = "{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("b", "U8", "[4]", 8, 12) + "}"
    let (path, error) = try openError(SafetensorsFixtures.raw(json: gap, data: [UInt8](repeating: 1, count: 12)))
    #expect(error == .badTensor(file: path, tensor: "b", offset: 8 + gap.utf8.count + 8, reason: "invalid offset: data begins at 8 but the previous tensor ends at 4 (a gap of 4 bytes)"))
    let overlap = "{" + entry("a", "U8", "[8]", 0, 8) + "," + entry("b", "U8", "[4]", 4, 8) + "}"
    let (path2, error2) = try openError(SafetensorsFixtures.raw(json: overlap, data: [UInt8](repeating: 1, count: 8)))
    #expect(error2 == .badTensor(file: path2, tensor: "b", offset: 8 + overlap.utf8.count + 4, reason: "invalid offset: data begins at 4, overlapping the previous tensor which ends at 8"))
    let late = "{" + entry("a", "U8", "[4]", 4, 8) + "}"
    let (path3, error3) = try openError(SafetensorsFixtures.raw(json: late, data: [UInt8](repeating: 1, count: 8)))
    #expect(error3 == .badTensor(file: path3, tensor: "a", offset: 8 + late.utf8.count + 4, reason: "invalid offset: data begins at 4 but the previous tensor ends at 0 (a gap of 4 bytes)"))
  }

  @Test("a byte span that does not match elements × dtype size (TensorInvalidInfo)")
  func sizeMismatch() throws {
    let json = "{" + entry("m", "F32", "[2]", 0, 4) + "}"
    let (path, error) = try openError(SafetensorsFixtures.raw(json: json, data: [0, 0, 0, 0]))
    #expect(error == .badTensor(file: path, tensor: "m", offset: 8 + json.utf8.count, reason: "data_offsets span 4 bytes but F32 2 needs 8 (TensorInvalidInfo)"))
  }

  @Test("trailing bytes after the last tensor: file not fully covered")
  func trailingBytes() throws {
    let json = "{" + entry("t", "U8", "[2]", 0, 2) + "}"
    let (path, error) = try openError(SafetensorsFixtures.raw(json: json, data: [1, 2, 3, 4, 5]))
    #expect(error == .invalid(file: path, what: "safetensors data", offset: 8 + json.utf8.count + 2, reason: "file not fully covered: 3 bytes after the last tensor belong to no tensor"))
  }

  @Test("data shorter than the header promises")
  func missingData() throws {
    let json = "{" + entry("t", "U8", "[6]", 0, 6) + "}"
    let (path, error) = try openError(SafetensorsFixtures.raw(json: json, data: [1, 2]))
    #expect(error == .truncated(file: path, what: "data of tensor 't'", offset: 8 + json.utf8.count, needed: 6, available: 2))
  }

  @Test("a duplicate tensor name is rejected")
  func duplicateName() throws {
    let first = entry("d", "U8", "[1]", 0, 1)
    let json = "{" + first + "," + entry("d", "U8", "[1]", 1, 2) + "}"
    let (path, error) = try openError(SafetensorsFixtures.raw(json: json, data: [1, 2]))
    #expect(error == .badTensor(file: path, tensor: "d", offset: 8 + first.utf8.count + 2, reason: "appears twice in the header (duplicate keys are not allowed)"))
  }

  @Test("missing files and folders are I/O errors naming the path")
  func unreadablePath() throws {
    let folder = try SafetensorsFixtures.makeFolder()
    #expect(throws: FormatError.io(.cannotOpen(path: folder + "/none.safetensors", reason: "No such file or directory"))) {
      try SafetensorsFormat.open(path: folder + "/none.safetensors")
    }
    #expect(throws: FormatError.io(.notARegularFile(path: folder))) { try SafetensorsFormat.open(path: folder) }
  }
}

import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Each malformed file fails with its own clear error naming the key or tensor and offset.
@Suite struct GGUFBadInputTests {
  func valid() throws -> [UInt8] { try GGUFFixture.tinyLlamaFile() }

  func expectError(_ bytes: [UInt8], _ check: (FormatError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      _ = try GGUFFixture.parse(bytes)
      Issue.record("expected an error", sourceLocation: sourceLocation)
    } catch {
      #expect(check(error), "\(error.description)", sourceLocation: sourceLocation)
    }
  }

  func info(_ bytes: [UInt8], _ name: String) throws -> GGUFTensorInfo {
    try #require(try GGUFFixture.parse(bytes).tensors.first { $0.name == name })
  }

  @Test func badMagic() throws {
    var bytes = try valid()
    bytes[0] = 0x50  // "PGUF"
    expectError(bytes) { $0 == .invalid(file: "mem.gguf", what: "GGUF magic", offset: 0, reason: "expected \"GGUF\", found \"PGUF\"") }
  }

  @Test(arguments: [UInt32(0), 1, 4, 99])
  func unsupportedVersion(_ version: UInt32) throws {
    var bytes = try valid()
    GGUFFixture.writeU32(version, at: 4, in: &bytes)
    expectError(bytes) {
      if case let .unsupported(_, what, _) = $0 { return what == "GGUF version \(version)" }
      return false
    }
  }

  @Test func bigEndianIsDetected() throws {
    var bytes = try valid()
    bytes.replaceSubrange(4..<8, with: [0, 0, 0, 3])
    expectError(bytes) {
      if case let .unsupported(_, what, reason) = $0 { return what == "byte order" && reason.contains("big-endian") }
      return false
    }
  }

  @Test func tensorCountPastEndOfFile() throws {
    var bytes = try valid()
    GGUFFixture.writeU64(1 << 40, at: 8, in: &bytes)
    expectError(bytes) {
      if case let .truncated(_, what, offset, _, _) = $0 { return what.hasPrefix("tensor count") && offset == 8 }
      return false
    }
  }

  @Test func keyCountPastEndOfFile() throws {
    var bytes = try valid()
    GGUFFixture.writeU64(UInt64.max, at: 16, in: &bytes)
    expectError(bytes) {
      if case let .truncated(_, what, offset, _, _) = $0 { return what.hasPrefix("metadata key/value count") && offset == 16 }
      return false
    }
  }

  @Test func stringLengthPastEndOfFile() throws {
    var bytes = try valid()
    // The first key's length field sits right after the 24-byte header.
    GGUFFixture.writeU64(UInt64(bytes.count), at: 24, in: &bytes)
    expectError(bytes) {
      if case let .truncated(_, what, offset, _, _) = $0 { return what.hasPrefix("length of metadata key #0") && offset == 24 }
      return false
    }
  }

  @Test func arrayCountPastEndOfFile() throws {
    let meta = [GGUFKeyValue(key: "a.tokens", value: .array(.string(["x"])))]
    var bytes = try GGUFEncoder.file(metadata: meta, tensors: [])
    // header 24 + key (8 + 8) + type 4 + element type 4 → count at 48
    GGUFFixture.writeU64(1 << 50, at: 48, in: &bytes)
    expectError(bytes) {
      if case let .truncated(_, what, offset, _, _) = $0 { return what.hasPrefix("element count of key 'a.tokens'") && offset == 48 }
      return false
    }
  }

  @Test func nestedArrayIsRejected() throws {
    let meta = [GGUFKeyValue(key: "a.nested", value: .array(.uint32([1])))]
    var bytes = try GGUFEncoder.file(metadata: meta, tensors: [])
    GGUFFixture.writeU32(GGUFValueType.array.rawValue, at: 44, in: &bytes)  // element type
    expectError(bytes) { $0 == .invalid(file: "mem.gguf", what: "metadata key 'a.nested'", offset: 44, reason: "nested arrays are not supported (ggml rejects them)") }
  }

  @Test func unknownValueType() throws {
    let meta = [GGUFKeyValue(key: "a.b", value: .uint32(1))]
    var bytes = try GGUFEncoder.file(metadata: meta, tensors: [])
    GGUFFixture.writeU32(13, at: 35, in: &bytes)
    expectError(bytes) { $0 == .invalid(file: "mem.gguf", what: "metadata key 'a.b'", offset: 35, reason: "unknown value type 13") }
  }

  @Test func boolMustBeZeroOrOne() throws {
    var bytes = try GGUFEncoder.file(metadata: [GGUFKeyValue(key: "a.b", value: .bool(true))], tensors: [])
    bytes[39] = 2
    expectError(bytes) { $0 == .invalid(file: "mem.gguf", what: "value of key 'a.b'", offset: 39, reason: "bool must be 0 or 1, found 2") }
  }

  @Test func duplicateKey() throws {
    let meta = [GGUFKeyValue(key: "a.x", value: .uint8(1)), GGUFKeyValue(key: "a.y", value: .uint8(2))]
    var bytes = try GGUFEncoder.file(metadata: meta, tensors: [])
    let second = 24 + 8 + 3 + 4 + 1
    bytes[second + 8 + 2] = UInt8(ascii: "x")
    expectError(bytes) { $0 == .invalid(file: "mem.gguf", what: "metadata key 'a.x'", offset: second, reason: "duplicate key") }
  }

  @Test func duplicateTensorName() throws {
    var bytes = try valid()
    let first = try info(bytes, "blk.0.attn_q.weight")
    let second = try info(bytes, "blk.1.attn_q.weight")
    bytes[GGUFFixture.fields(of: second).nameOffset + 4] = UInt8(ascii: "0")
    _ = first
    expectError(bytes) { $0 == .badTensor(file: "mem.gguf", tensor: "blk.0.attn_q.weight", offset: second.recordOffset, reason: "duplicate tensor name") }
  }

  @Test func misalignedOffset() throws {
    var bytes = try valid()
    let target = try info(bytes, "blk.0.attn_q.weight")
    GGUFFixture.writeU64(UInt64(target.relativeOffset + 4), at: GGUFFixture.fields(of: target).dataOffsetField, in: &bytes)
    expectError(bytes) {
      $0 == .badTensor(file: "mem.gguf", tensor: target.name, offset: target.recordOffset, reason: "data offset \(target.relativeOffset + 4) is not a multiple of the alignment 32")
    }
  }

  @Test func overlappingOffset() throws {
    var bytes = try valid()
    let target = try info(bytes, "blk.0.attn_q.weight")
    GGUFFixture.writeU64(0, at: GGUFFixture.fields(of: target).dataOffsetField, in: &bytes)
    expectError(bytes) {
      $0 == .badTensor(file: "mem.gguf", tensor: target.name, offset: target.recordOffset, reason: "data offset 0 overlaps the previous tensor (expected \(target.relativeOffset))")
    }
  }

  @Test func gapBetweenTensors() throws {
    var bytes = try valid()
    let target = try info(bytes, "output.weight")
    GGUFFixture.writeU64(UInt64(target.relativeOffset + 64), at: GGUFFixture.fields(of: target).dataOffsetField, in: &bytes)
    expectError(bytes) {
      if case let .badTensor(_, tensor, offset, reason) = $0 { return tensor == target.name && offset == target.recordOffset && reason.contains("gap") }
      return false
    }
  }

  @Test func unknownTypeID() throws {
    var bytes = try valid()
    let target = try info(bytes, "output.weight")
    GGUFFixture.writeU32(77, at: GGUFFixture.fields(of: target).typeOffset, in: &bytes)
    expectError(bytes) { $0 == .badTensor(file: "mem.gguf", tensor: "output.weight", offset: target.recordOffset, reason: "unknown ggml type id 77") }
  }

  @Test func removedTypeIDIsNamed() throws {
    var bytes = try valid()
    let target = try info(bytes, "output.weight")
    GGUFFixture.writeU32(4, at: GGUFFixture.fields(of: target).typeOffset, in: &bytes)
    expectError(bytes) {
      if case let .unsupported(_, what, reason) = $0 { return what.contains("output.weight") && reason.contains("Q4_2") }
      return false
    }
  }

  @Test func rowNotDivisibleByBlock() throws {
    // 64-wide rows as Q4_K (block 256) cannot be.
    var bytes = try valid()
    let target = try info(bytes, "output.weight")
    GGUFFixture.writeU32(12, at: GGUFFixture.fields(of: target).typeOffset, in: &bytes)
    expectError(bytes) {
      $0 == .badTensor(file: "mem.gguf", tensor: "output.weight", offset: target.recordOffset, reason: "row length 64 is not a multiple of Q4_K's block size 256")
    }
  }

  @Test func tooManyDimensions() throws {
    var bytes = try valid()
    let target = try info(bytes, "output.weight")
    GGUFFixture.writeU32(5, at: GGUFFixture.fields(of: target).firstDim - 4, in: &bytes)
    expectError(bytes) { $0 == .badTensor(file: "mem.gguf", tensor: "output.weight", offset: target.recordOffset, reason: "5 dimensions (ggml allows at most 4)") }
  }

  @Test func dataPastEndOfFile() throws {
    let bytes = try valid()
    let last = try info(bytes, "output.weight")
    let parsed = try GGUFFixture.parse(bytes)
    let cut = Array(bytes.prefix(parsed.dataOffset + last.relativeOffset + 100))
    expectError(cut) {
      if case let .truncated(_, what, offset, needed, available) = $0 {
        return what == "data of tensor 'output.weight'" && offset == parsed.dataOffset + last.relativeOffset && needed == last.byteCount && available == 100
      }
      return false
    }
  }

  @Test func alignmentMustBeUInt32() throws {
    // Encoded under a look-alike key, then renamed, because our encoder refuses a bad alignment.
    var bytes = try GGUFEncoder.file(metadata: [GGUFKeyValue(key: "general.alignmenX", value: .uint64(32))], tensors: [])
    bytes[32 + 16] = UInt8(ascii: "t")
    expectError(bytes) { $0 == .invalid(file: "mem.gguf", what: "metadata key 'general.alignment'", offset: nil, reason: "must be UINT32, found UINT64") }
  }

  @Test func alignmentMustBePowerOfTwo() throws {
    var bytes = try GGUFEncoder.file(metadata: [GGUFKeyValue(key: "general.alignment", value: .uint32(32))], tensors: [])
    GGUFFixture.writeU32(48, at: 32 + 17 + 4, in: &bytes)
    expectError(bytes) { $0 == .invalid(file: "mem.gguf", what: "metadata key 'general.alignment'", offset: nil, reason: "48 is not a power of two") }
  }

  @Test func cutAtEveryPrefixNeverCrashes() throws {
    let bytes = try valid()
    let parsed = try GGUFFixture.parse(bytes)
    let lastEnd = parsed.dataOffset + (parsed.tensors.last.map { $0.relativeOffset + $0.byteCount } ?? 0)
    // Every cut inside the header, and every 61st inside the data (each parse is cheap, but the
    // data section is long) plus the bytes around each tensor's end.
    var lengths = Array(0...parsed.dataOffset) + Array(stride(from: parsed.dataOffset, to: lastEnd, by: 61))
    for info in parsed.tensors { lengths += [-1, 0, 1].map { parsed.dataOffset + info.relativeOffset + info.byteCount + $0 } }
    var outcomes: [Int: Bool] = [:]
    bytes.withUnsafeBytes { raw in
      for length in lengths where length <= raw.count {
        do {
          _ = try GGUFParser.parse(UnsafeRawBufferPointer(rebasing: raw[0..<length]), file: "cut.gguf")
          outcomes[length] = true
        } catch { outcomes[length] = false }
      }
    }
    // A prefix parses exactly when it holds all tensor data.
    #expect(outcomes.allSatisfy { $0.value == ($0.key >= lastEnd) })
    #expect(outcomes.count > parsed.dataOffset)
  }
}

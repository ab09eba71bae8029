@testable import Evaluation
import Foundation
import Testing

@Suite struct NumPyTests {
  static func npy(descr: String, shape: String, fortran: Bool = false, payload: [UInt8]) -> [UInt8] {
    let header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }\n"
    let length = UInt16(header.utf8.count)
    return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + payload
  }

  static func parse(_ bytes: [UInt8]) throws -> NumPyArray {
    try bytes.withUnsafeBytes { try NumPyArray.parse($0, file: "t.npy") }
  }

  /// A zip with STORED members, as np.savez writes it (central directory included).
  static func zip(_ members: [(String, [UInt8])], method: UInt16 = 0) -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16) }
    for (name, data) in members {
      let offset = out.count
      let n = Array(name.utf8)
      out += u32(0x0403_4B50) + u16(20) + u16(0) + u16(Int(method)) + u32(0) + u32(0) + u32(data.count) + u32(data.count)
        + u16(n.count) + u16(0) + n + data
      central += u32(0x0201_4B50) + u16(20) + u16(20) + u16(0) + u16(Int(method)) + u32(0) + u32(0) + u32(data.count)
        + u32(data.count) + u16(n.count) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(offset) + n
    }
    let start = out.count
    out += central
    out += u32(0x0605_4B50) + u16(0) + u16(0) + u16(members.count) + u16(members.count) + u32(central.count) + u32(start) + u16(0)
    return out
  }

  @Test func readsFloatAndIntegerArrays() throws {
    let floats = try Self.parse(Self.npy(descr: "<f4", shape: "(2,)", payload: [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]))
    #expect(floats.shape == [2] && floats.floats == [1, -2] && floats.integers == nil)
    let ints = try Self.parse(Self.npy(descr: "<i8", shape: "(2,)", payload: [3, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]))
    #expect(ints.integers == [3, -1])
    let bytes = try Self.parse(Self.npy(descr: "|u1", shape: "(1, 2)", payload: [7, 200]))
    #expect(bytes.shape == [1, 2] && bytes.integers == [7, 200])
    let half = try Self.parse(Self.npy(descr: "<f2", shape: "(1,)", payload: [0x00, 0x3C]))
    #expect(half.floats == [1])
  }

  @Test func roundTripsOurWriter() throws {
    let tensor = EvalTensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6.5])
    let array = try Self.parse(Array(NumPyWriter.data(tensor)))
    #expect(array.shape == [2, 3] && array.floats == tensor.data)
  }

  @Test func refusesWhatItCannotRead() {
    #expect(throws: EvaluationError.self) { try Self.parse(Self.npy(descr: "<f4", shape: "(2,)", fortran: true, payload: Array(repeating: 0, count: 8))) }
    #expect(throws: EvaluationError.self) { try Self.parse(Self.npy(descr: "<c8", shape: "(1,)", payload: Array(repeating: 0, count: 8))) }
    #expect(throws: EvaluationError.self) { try Self.parse(Self.npy(descr: "<f4", shape: "(3,)", payload: [0, 0, 0, 0])) }
    #expect(throws: EvaluationError.self) { try Self.parse([0x93, 0x4E, 0x55]) }
    #expect(throws: EvaluationError.self) { try Self.parse(Self.npy(descr: "<f4", shape: "(-1,)", payload: [])) }
  }

  @Test func readsStoredZipMembers() throws {
    let x = Self.npy(descr: "<f4", shape: "(1,)", payload: [0, 0, 0x80, 0x3F])
    let y = Self.npy(descr: "<i4", shape: "(1,)", payload: [5, 0, 0, 0])
    let archive = try Self.zip([("x.npy", x), ("y.npy", y)]).withUnsafeBytes { try NumPyArchive.parse($0, file: "d.npz") }
    #expect(archive.arrays["x"]?.floats == [1])
    #expect(archive.arrays["y"]?.integers == [5])
  }

  @Test func badDeflateDataAndTruncatedArchivesAreClearErrors() throws {
    // Method 8 over bytes that are not a deflate stream (and a zero CRC).
    let x = Self.npy(descr: "<f4", shape: "(1,)", payload: [0, 0, 0x80, 0x3F])
    let deflated = Self.zip([("x.npy", x)], method: 8)
    #expect(throws: EvaluationError.self) { try deflated.withUnsafeBytes { try NumPyArchive.parse($0, file: "d.npz") } }
    let bzip2 = Self.zip([("x.npy", x)], method: 12)
    #expect(throws: EvaluationError.self) { try bzip2.withUnsafeBytes { try NumPyArchive.parse($0, file: "d.npz") } }
    let full = Self.zip([("x.npy", x)])
    for cut in [10, full.count / 2, full.count - 5] {
      let truncated = Array(full.prefix(cut))
      #expect(throws: EvaluationError.self) { try truncated.withUnsafeBytes { try NumPyArchive.parse($0, file: "d.npz") } }
    }
  }

  static let npzFixtures = SampleFiles.root + "/Tests/Interop/fixtures/npz/"

  @Test func readsSavezCompressedLikeSavez() throws {
    // The same arrays written by np.savez_compressed and np.savez (scripts/make-npz-fixtures.py).
    let compressed = try NumPyArchive.load(path: Self.npzFixtures + "compressed.npz")
    let stored = try NumPyArchive.load(path: Self.npzFixtures + "stored.npz")
    #expect(Set(compressed.arrays.keys) == ["x", "y", "h", "u"])
    for (key, array) in stored.arrays {
      let other = try #require(compressed.arrays[key])
      #expect(other.shape == array.shape && other.descr == array.descr)
      #expect(other.floats == array.floats && other.integers == array.integers)
    }
    #expect(compressed.arrays["x"]?.shape == [6, 8, 8, 1])
    #expect(compressed.arrays["u"]?.integers == (0..<300).map { Int64($0 % 7) })
    #expect(compressed.arrays["h"]?.descr == "<f2" && compressed.arrays["y"]?.descr == "<i8")
  }

  @Test func corruptCompressedMembersAreClearErrors() throws {
    let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.npzFixtures + "compressed.npz")))
    func parse(_ bytes: [UInt8]) throws -> NumPyArchive {
      try bytes.withUnsafeBytes { try NumPyArchive.parse($0, file: "c.npz") }
    }
    // The first member's deflate stream starts after its local header, name and zip64 extra.
    let start = 30 + Int(original[26]) + Int(original[27]) << 8 + Int(original[28]) + Int(original[29]) << 8
    for offset in [start + 3, start + 40, start + 200] {
      var flipped = original
      flipped[offset] ^= 0x5A
      #expect(throws: EvaluationError.self) { try parse(flipped) }
    }
    // A directory entry claiming a larger uncompressed size than the stream holds.
    var longer = original
    let directory = try #require(Self.find([0x50, 0x4B, 0x01, 0x02], in: original))
    longer[directory + 24] &+= 1
    #expect(throws: EvaluationError.self) { try parse(longer) }
    // A claim deflate cannot reach (the size field set to 2^31).
    var huge = original
    huge[directory + 27] = 0x80
    #expect(throws: EvaluationError.self) { try parse(huge) }
  }

  static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
    guard bytes.count >= pattern.count else { return nil }
    return (0...(bytes.count - pattern.count)).first { Array(bytes[$0..<($0 + pattern.count)]) == pattern }
  }

  @Test func readsTheSampleEvalSet() throws {
    let path = SampleFiles.root + "/SampleModels/digits-test.npz"
    let archive = try NumPyArchive.load(path: path)
    #expect(archive.arrays["x"]?.shape == [360, 8, 8, 1])
    #expect(archive.arrays["y"]?.integers?.count == 360)
    #expect(archive.arrays["x"]?.floats.allSatisfy { $0 >= 0 && $0 <= 1 } == true)
  }
}

enum SampleFiles {
  static var root: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
  }
}

import Foundation
import Testing
import TensorCore

@testable import ModelFormats

/// Layouts past 32-bit limits, made sparse with ftruncate so they cost no disk: safetensors data
/// beyond 4 GiB with a tensor of more than 2^32 elements, and TFLite buffers stored outside the
/// FlatBuffer (Buffer.offset/size) beyond 2 GiB. GGUF has the same in GGUFHugeFileTests.
@Suite(.serialized) struct MalformedHugeFileTests {
  /// Writes `head` at 0, extends the file to `size` and writes `tail` at `tailOffset`.
  static func sparseFile(_ name: String, head: [UInt8], size: Int, tail: [UInt8], tailOffset: Int) throws -> String {
    let path = try SafetensorsFixtures.makeFolder() + "/" + name
    let fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0o644)
    try #require(fd >= 0)
    defer { close(fd) }
    try #require(head.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == head.count)
    try #require(ftruncate(fd, off_t(size)) == 0)
    try #require(tail.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(tailOffset)) } == tail.count)
    return path
  }

  @Test("safetensors: a U8 tensor of 2^32 + 16 elements and a tensor placed past 4 GiB")
  func safetensorsPastFourGiB() throws {
    let big = (1 << 32) + 16
    let json = "{\"small\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},"
      + "\"big\":{\"dtype\":\"U8\",\"shape\":[\(big / 16),16],\"data_offsets\":[8,\(8 + big)]},"
      + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[\(8 + big),\(16 + big)]}}"
    let head = SafetensorsFixtures.raw(json: json)
    let dataStart = head.count
    let tail = SafetensorsFixtures.float32Bytes([1.5, -2.5])
    let size = dataStart + 16 + big
    let path = try Self.sparseFile("huge.safetensors", head: head, size: size, tail: tail, tailOffset: size - 8)
    defer { try? FileManager.default.removeItem(atPath: path) }

    let model = try SafetensorsFormat.open(path: path)
    #expect(model.fileBytes == size && size > 1 << 32)
    let bigTensor = try #require(model.tensors.first { $0.name == "big" })
    #expect(bigTensor.elementCount == big && bigTensor.elementCount > Int(Int32.max))
    #expect(bigTensor.byteCount == big)
    let tailTensor = try #require(model.tensors.first { $0.name == "tail" })
    #expect(tailTensor.location.offset == size - 8 && tailTensor.location.offset > 1 << 32)
    #expect(Array(tailTensor.location.bytes) == tail)
  }

  @Test("safetensors: the same layout one byte short is a truncation naming the last tensor")
  func safetensorsPastFourGiBTruncated() throws {
    let big = (1 << 32) + 16
    let json = "{\"big\":{\"dtype\":\"U8\",\"shape\":[\(big)],\"data_offsets\":[0,\(big)]}}"
    let head = SafetensorsFixtures.raw(json: json)
    let path = try Self.sparseFile("short.safetensors", head: head, size: head.count + big - 1, tail: [], tailOffset: 0)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(throws: FormatError.truncated(
      file: path, what: "data of tensor 'big'", offset: head.count, needed: big, available: big - 1)) {
      try SafetensorsFormat.open(path: path)
    }
  }

  @Test("TFLite: a constant stored with Buffer.offset/size past 2 GiB is found and read")
  func tfliteBufferPastTwoGiB() throws {
    let source = try TFLiteFile.parse(path: try TFLiteTestSupport.fixture("conv.tflite"))
    var root = source.root
    var buffers = root.tables(TFLiteSchema.ModelField.buffers)
    let index = try #require(buffers.indices.first { (buffers[$0].vectorBytes(TFLiteSchema.BufferField.data)?.count ?? 0) > 64 })
    let range = source.buffers[index]
    let payload = Array(try source.file.slice(offset: range.offset, count: range.count))
    let far = (3 << 30) + 64  // 3 GiB: beyond any 32-bit signed offset
    var external = FlatBufferTable(type: "Buffer")
    external.setScalar(TFLiteSchema.BufferField.offset, bits: UInt64(far), size: 8)
    external.setScalar(TFLiteSchema.BufferField.size, bits: UInt64(payload.count), size: 8)
    buffers[index] = external
    root.fields[TFLiteSchema.ModelField.buffers] = .tables(buffers)
    var encoder = FlatBufferEncoder(schema: TFLiteSchema.schema, source: source.file.bytes)
    let head = try encoder.finish(root: root, identifier: TFLiteSchema.identifier)
    let path = try Self.sparseFile("huge.tflite", head: head, size: far + payload.count, tail: payload, tailOffset: far)
    defer { try? FileManager.default.removeItem(atPath: path) }

    let model = try TFLiteFormat.open(path: path)
    let moved = model.tensors.filter { $0.location.offset == far }
    #expect(!moved.isEmpty)
    for tensor in moved { #expect(Array(tensor.location.bytes) == payload) }
  }
}

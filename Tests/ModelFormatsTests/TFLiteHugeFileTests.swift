import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// A model whose constant data is over 2 GiB: read (mapped, from a sparse file) and serialized with
/// its data after the FlatBuffer. Writing the 2.3 GB output takes about a minute on a slow disk, so
/// the full round trip runs only with QSCOPE_HUGE_TFLITE=1.
@Suite struct TFLiteHugeFileTests {
  static let fullRoundTrip = ProcessInfo.processInfo.environment["QSCOPE_HUGE_TFLITE"] == "1"

  typealias S = TFLiteTestSupport
  /// dense_b/kernel becomes [rows, 16] float32: 2.3 GB, past what a FlatBuffer can hold.
  static let rows = 36_000_000

  /// shared_buffer.tflite with dense_b/kernel enlarged and stored after the FlatBuffer (sparse).
  static func hugeModel() throws -> String {
    let file = try TFLiteFile.parse(path: try S.fixture("shared_buffer.tflite"))
    let byteCount = rows * 16 * 4
    func tree(offset: Int) -> FlatBufferTable {
      var root = file.root
      var buffers = root.tables(TFLiteSchema.ModelField.buffers)
      var big = FlatBufferTable(type: "Buffer")
      big.setScalar(TFLiteSchema.BufferField.offset, bits: UInt64(offset), size: 8)
      big.setScalar(TFLiteSchema.BufferField.size, bits: UInt64(byteCount), size: 8)
      buffers.append(big)
      var subgraphs = root.tables(TFLiteSchema.ModelField.subgraphs)
      var tensors = subgraphs[0].tables(TFLiteSchema.SubGraphField.tensors)
      if let b = file.subgraphs[0].tensors.firstIndex(where: { $0.name == "dense_b/kernel" }) {
        tensors[b].fields[TFLiteSchema.TensorField.shape] = .vector(
          .owned(TFLiteRewriter.le([Int32(rows), 16])), elementSize: 4, alignment: 4)
        tensors[b].setScalar(TFLiteSchema.TensorField.buffer, bits: UInt64(buffers.count - 1), size: 4)
      }
      subgraphs[0].fields[TFLiteSchema.SubGraphField.tensors] = .tables(tensors)
      root.fields[TFLiteSchema.ModelField.subgraphs] = .tables(subgraphs)
      root.fields[TFLiteSchema.ModelField.buffers] = .tables(buffers)
      return root
    }
    func encode(_ offset: Int) throws -> [UInt8] {
      var encoder = FlatBufferEncoder(schema: TFLiteSchema.schema, source: file.file.bytes)
      return try encoder.finish(root: tree(offset: offset), identifier: TFLiteSchema.identifier)
    }
    let start = (try encode(2).count + 15) / 16 * 16
    let header = try encode(start)
    let path = S.temporaryPath("huge.tflite")
    let fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0o644)
    try #require(fd >= 0)
    defer { close(fd) }
    try #require(header.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == header.count)
    try #require(ftruncate(fd, off_t(start + byteCount + 16)) == 0)
    return path
  }

  @Test("a > 2 GiB model is mapped and serialized with its data after a small FlatBuffer")
  func hugeLayout() throws {
    let input = try Self.hugeModel()
    defer { try? FileManager.default.removeItem(atPath: input) }
    let model = try TFLiteFormat.open(path: input)
    let context = try #require(model.formatContext as? TFLiteContext)
    let big = try #require(model.tensors.first { $0.name == "dense_b/kernel" })
    #expect(big.byteCount > Int(Int32.max) && big.location.offset > 0)
    var rewriter = TFLiteRewriter(file: context.file)
    let small = try #require(model.tensors.firstIndex { $0.name == "dense_a/kernel" })
    let weight = try TFLiteFormat.storedWeight(try S.provider(model.tensors[small], S.scheme(8, .channel(axis: 0))),
                                               tensor: model.tensors[small], file: "out")
    rewriter.rewrite(context.tensorRefs[small].subgraph, context.tensorRefs[small].tensor, to: weight)
    let output = try TFLiteSerializer(file: context.file, path: "out").serialize(rewriter.finish(), placement: .automatic)
    #expect(output.usesBufferOffsets)
    #expect(output.flatBuffer.count < 1 << 16)
    let blob = try #require(output.blobs.first { $0.bytes.count == big.byteCount })
    #expect(blob.bytes == .source(offset: big.location.offset, count: big.byteCount))
    #expect(output.blobs.allSatisfy { $0.offset % 16 == 0 && $0.offset >= output.flatBuffer.count })
    #expect(output.totalSize % 16 == 0 && output.totalSize >= blob.offset + big.byteCount + 16)
  }

  @Test("a > 2 GiB model is rewritten with Buffer.offset/size and reads back", .enabled(if: fullRoundTrip))
  func hugeRoundTrip() throws {
    let input = try Self.hugeModel()
    defer { try? FileManager.default.removeItem(atPath: input) }
    let model = try TFLiteFormat.open(path: input)
    let big = try #require(model.tensors.first { $0.name == "dense_b/kernel" })
    #expect(big.byteCount == Self.rows * 64 && big.byteCount > Int(Int32.max))
    let small = try #require(model.tensors.firstIndex { $0.name == "dense_a/kernel" })
    let output = S.temporaryPath("huge-int8.tflite")
    defer { try? FileManager.default.removeItem(atPath: output) }
    _ = try TFLiteFormat.write(model, requests: [TensorWriteRequest(tensorIndex: small, encoding: S.scheme(8, .channel(axis: 0)))],
                               provider: S.provider, to: output, options: WriteOptions())
    let file = try TFLiteFile.parse(path: output)
    #expect(file.file.count > big.byteCount)
    #expect(file.flatBufferLength < 1 << 16)
    let t = try #require(file.subgraphs[0].tensors.first { $0.name == "dense_b/kernel" })
    let range = file.buffers[t.buffer]
    #expect(range.isExternal && range.count == big.byteCount && range.offset % 16 == 0)
    let a = try #require(file.subgraphs[0].tensors.first { $0.name == "dense_a/kernel" })
    #expect(a.type == .int8)
  }
}

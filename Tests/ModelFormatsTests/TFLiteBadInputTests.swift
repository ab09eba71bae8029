import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Structurally valid FlatBuffers with TFLite-level lies: each must be one clear error.
@Suite struct TFLiteBadInputTests {
  /// Decodes a fixture, lets `edit` change the tree, re-encodes it to a temp file.
  func edited(_ fixture: String, _ edit: (inout FlatBufferTable) -> Void) throws -> String {
    let file = try TFLiteFile.parse(path: try TFLiteTestSupport.fixture(fixture))
    var root = file.root
    edit(&root)
    var encoder = FlatBufferEncoder(schema: TFLiteSchema.schema, source: file.file.bytes)
    let bytes = try encoder.finish(root: root, identifier: "TFL3")
    let path = TFLiteTestSupport.temporaryPath("edited.tflite")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  func message(_ path: String) -> String? {
    do { _ = try TFLiteFormat.open(path: path); return nil } catch { return error.description }
  }

  @Test("an unmodified re-encode opens (the edits below are what fails)")
  func control() throws {
    let path = try edited("conv.default.tflite") { _ in }
    #expect(message(path) == nil)
  }

  @Test("a scale count that does not match the quantized dimension")
  func scaleCount() throws {
    let path = try edited("conv.default.tflite") { root in
      var subgraphs = root.tables(TFLiteSchema.ModelField.subgraphs)
      var tensors = subgraphs[0].tables(TFLiteSchema.SubGraphField.tensors)
      guard let t = tensors.firstIndex(where: { $0.table(TFLiteSchema.TensorField.quantization) != nil }) else { return }
      tensors[t].fields[TFLiteSchema.TensorField.quantization] = .table(
        TFLiteRewriter.quantizationTable(scales: [1, 2, 3], zeroPoints: [0, 0, 0], axis: 0))
      subgraphs[0].fields[TFLiteSchema.SubGraphField.tensors] = .tables(tensors)
      root.fields[TFLiteSchema.ModelField.subgraphs] = .tables(subgraphs)
    }
    let text = try #require(message(path))
    #expect(text.contains("3 quantization scales do not match shape"))
  }

  @Test("a Buffer.offset/size past the end of the file")
  func bufferPastEnd() throws {
    let path = try edited("conv.tflite") { root in
      var buffers = root.tables(TFLiteSchema.ModelField.buffers)
      var buffer = FlatBufferTable(type: "Buffer")
      buffer.setScalar(TFLiteSchema.BufferField.offset, bits: 1 << 40, size: 8)
      buffer.setScalar(TFLiteSchema.BufferField.size, bits: 64, size: 8)
      buffers[1] = buffer
      root.fields[TFLiteSchema.ModelField.buffers] = .tables(buffers)
    }
    let text = try #require(message(path))
    #expect(text.contains("buffer 1") && text.contains("truncated"))
  }

  @Test("a tensor whose buffer is smaller than its shape needs")
  func shortBuffer() throws {
    let path = try edited("conv.tflite") { root in
      var buffers = root.tables(TFLiteSchema.ModelField.buffers)
      guard let b = buffers.firstIndex(where: { ($0.vectorBytes(0)?.count ?? 0) > 64 }) else { return }
      buffers[b].fields[0] = .vector(.owned([UInt8](repeating: 0, count: 16)), elementSize: 1, alignment: 16)
      root.fields[TFLiteSchema.ModelField.buffers] = .tables(buffers)
    }
    let text = try #require(message(path))
    #expect(text.contains("holds 16 bytes but shape"))
  }

  @Test("a model version other than 3")
  func version() throws {
    let path = try edited("shared.tflite") { $0.setScalar(TFLiteSchema.ModelField.version, bits: 4, size: 4) }
    #expect(message(path)?.contains("LiteRT only loads version 3") == true)
  }
}

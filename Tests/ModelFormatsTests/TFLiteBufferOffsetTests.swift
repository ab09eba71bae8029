import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Buffer.offset/size: constant data after the FlatBuffer, as LiteRT's exporter writes models over 2 GiB.
@Suite struct TFLiteBufferOffsetTests {
  typealias S = TFLiteTestSupport

  func int8Requests(_ model: Model) -> [TensorWriteRequest] {
    model.tensors.enumerated().filter { $0.element.isQuantizable }.map {
      TensorWriteRequest(tensorIndex: $0.offset, encoding: S.scheme(8, .channel(axis: $0.element.channelAxis)))
    }
  }

  func write(_ model: Model, _ requests: [TensorWriteRequest], placement: TFLiteBufferPlacement,
             configure: (inout TFLiteSerializer) -> Void = { _ in }) throws -> String {
    let path = S.temporaryPath("offsets.tflite")
    _ = try TFLiteFormat.write(model, requests: requests, provider: S.provider, to: path, options: WriteOptions(),
                               placement: placement, serializer: configure)
    return path
  }

  /// Every constant's bytes by tensor name.
  func constants(_ path: String) throws -> [String: [UInt8]] {
    let model = try TFLiteFormat.open(path: path)
    return Dictionary(model.tensors.map { ($0.name, Array($0.location.bytes)) }, uniquingKeysWith: { a, _ in a })
  }

  @Test("blob offsets: FlatBuffer padded to 16, each blob 16-aligned, 16 zero bytes and padding at the end")
  func layoutArithmetic() throws {
    let layout = try #require(TFLiteSerializer.layout(flatBufferSize: 100, blobSizes: [10, 33, 7]))
    #expect(layout.offsets == [112, 128, 176])
    #expect(layout.total == 208)  // 176 + 7 = 183, + 16 = 199, padded to 208
    #expect(TFLiteSerializer.layout(flatBufferSize: Int.max - 4, blobSizes: [1]) == nil)
    let empty = try #require(TFLiteSerializer.layout(flatBufferSize: 32, blobSizes: []))
    #expect(empty.offsets.isEmpty && empty.total == 48)
  }

  @Test("forced offsets put every constant after the FlatBuffer with the same bytes as inline")
  func forcedOffsets() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("conv.tflite"))
    let requests = int8Requests(model)
    let inline = try write(model, requests, placement: .automatic)
    let external = try write(model, requests, placement: .afterFlatBuffer)
    let file = try TFLiteFile.parse(path: external)
    let used = file.buffers.filter { $0.count > 0 }
    #expect(!used.isEmpty && used.allSatisfy(\.isExternal))
    #expect(used.allSatisfy { $0.offset % 16 == 0 })
    #expect(file.file.count % 16 == 0)
    let last = try #require(used.max { $0.offset < $1.offset })
    let slack = try file.file.slice(offset: last.offset + last.count, count: 16)
    #expect(slack.allSatisfy { $0 == 0 })
    // The FlatBuffer ends before the first blob.
    #expect(try TFLiteFile.parse(path: inline).buffers.filter { $0.count > 0 }.allSatisfy { !$0.isExternal })
    #expect(try constants(external) == (try constants(inline)))
    #expect(S.view(file) == S.view(try TFLiteFile.parse(path: inline)))
  }

  @Test("a model read with Buffer.offset/size is written back inline with the same data")
  func offsetInputRoundTrip() throws {
    let source = try TFLiteFormat.open(path: try S.fixture("conv.tflite"))
    let external = try write(source, [], placement: .afterFlatBuffer)
    let model = try TFLiteFormat.open(path: external)
    #expect(model.tensors.count == source.tensors.count)
    let fc = try #require(model.tensors.firstIndex { $0.op == "FULLY_CONNECTED" && $0.role == .weight })
    let inline = try write(model, [TensorWriteRequest(tensorIndex: fc, encoding: .float16)], placement: .automatic)
    let file = try TFLiteFile.parse(path: inline)
    #expect(file.buffers.allSatisfy { !$0.isExternal })
    var expected = try constants(try S.fixture("conv.tflite"))
    let written = try constants(inline)
    expected[model.tensors[fc].name] = written[model.tensors[fc].name]
    #expect(written == expected)
  }

  @Test("automatic placement switches to offsets when the data or the FlatBuffer would be too large")
  func sizeDecision() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("conv.tflite"))
    let requests = int8Requests(model)
    func external(_ path: String) throws -> Bool { try TFLiteFile.parse(path: path).buffers.contains(where: \.isExternal) }
    // Plenty of room: inline.
    #expect(try !external(try write(model, requests, placement: .automatic)))
    // More constant data than the inline limit: straight to offsets.
    #expect(try external(try write(model, requests, placement: .automatic) { $0.inlineDataLimit = 1024 }))
    // Data under the inline limit but the FlatBuffer over the size limit: tried inline, then offsets.
    #expect(try external(try write(model, requests, placement: .automatic) { $0.flatBufferLimit = 8192 }))
    // Too large even without the data: an error, nothing written.
    #expect(throws: FormatError.self) { try write(model, requests, placement: .automatic) { $0.flatBufferLimit = 1024 } }
  }

  /// conv.tflite with the SOFTMAX op's custom options stored after the FlatBuffer
  /// (Operator.large_custom_options_offset/size); returns the path and the options bytes.
  func largeCustomOptionsModel() throws -> (String, [UInt8]) {
    let file = try TFLiteFile.parse(path: try S.fixture("conv.tflite"))
    let payload: [UInt8] = Array("qscope-large-custom-options".utf8)
    func tree(offset: Int) -> FlatBufferTable {
      var root = file.root
      var subgraphs = root.tables(TFLiteSchema.ModelField.subgraphs)
      var ops = subgraphs[0].tables(TFLiteSchema.SubGraphField.operators)
      ops[ops.count - 1].setScalar(TFLiteSchema.OperatorField.largeCustomOptionsOffset, bits: UInt64(offset), size: 8)
      ops[ops.count - 1].setScalar(TFLiteSchema.OperatorField.largeCustomOptionsSize, bits: UInt64(payload.count), size: 8)
      subgraphs[0].fields[TFLiteSchema.SubGraphField.operators] = .tables(ops)
      root.fields[TFLiteSchema.ModelField.subgraphs] = .tables(subgraphs)
      return root
    }
    func encode(_ offset: Int) throws -> [UInt8] {
      var encoder = FlatBufferEncoder(schema: TFLiteSchema.schema, source: file.file.bytes)
      return try encoder.finish(root: tree(offset: offset), identifier: TFLiteSchema.identifier)
    }
    let size = try encode(2).count
    let start = (size + 15) / 16 * 16
    var bytes = try encode(start)
    #expect(bytes.count == size)
    bytes += [UInt8](repeating: 0, count: start - size) + payload + [UInt8](repeating: 0, count: 16)
    let path = S.temporaryPath("large-custom.tflite")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return (path, payload)
  }

  @Test("custom options stored after the FlatBuffer are carried into the rewritten file inline")
  func largeCustomOptions() throws {
    let (path, payload) = try largeCustomOptionsModel()
    let model = try TFLiteFormat.open(path: path)
    let out = try write(model, int8Requests(model), placement: .automatic)
    let file = try TFLiteFile.parse(path: out)
    let ops = file.root.tables(TFLiteSchema.ModelField.subgraphs)[0].tables(TFLiteSchema.SubGraphField.operators)
    let last = try #require(ops.last)
    #expect(last.uint64(TFLiteSchema.OperatorField.largeCustomOptionsOffset) == 0)
    let options = try #require(last.vectorBytes(TFLiteSchema.OperatorField.customOptions))
    #expect(options.array(in: file.file.bytes) == payload)
    #expect(file.flatBufferLength == file.file.count)
    #expect(try TFLiteFile.parse(path: path).flatBufferLength < model.fileBytes)
  }
}

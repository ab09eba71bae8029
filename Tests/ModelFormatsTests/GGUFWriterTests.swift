import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct GGUFWriterTests {
  func source(metadata: [GGUFKeyValue] = GGUFFixture.basicMetadata, tensors: [(spec: GGUFTensorSpec, data: [UInt8])] = GGUFFixture.tinyLlama()) throws -> Model {
    try GGUFFormat.open(path: GGUFFixture.write(try GGUFEncoder.file(metadata: metadata, tensors: tensors)))
  }

  func requests(_ model: Model, _ encoding: QuantEncoding) -> [TensorWriteRequest] {
    model.tensors.indices.filter { model.tensors[$0].isQuantizable }.map { TensorWriteRequest(tensorIndex: $0, encoding: encoding) }
  }

  @Test func castsToF16AndKeepsMetadata() throws {
    let model = try source()
    let out = GGUFFixture.path("f16")
    _ = try GGUFFormat.write(model, requests: requests(model, .float16), provider: GGUFFixture.castingProvider, to: out, options: WriteOptions())
    let written = try GGUFFormat.open(path: out)
    let parsed = try #require(GGUFFormat.parsedFile(of: written))
    for entry in GGUFFixture.basicMetadata { #expect(parsed[entry.key] == entry.value) }
    #expect(parsed["general.file_type"] == .uint32(1))
    #expect(parsed["general.quantization_version"] == .uint32(2))
    for (old, new) in zip(model.tensors, written.tensors) {
      #expect(old.name == new.name)
      #expect(old.shape == new.shape)
      #expect(new.dtype == (old.isQuantizable ? .f16 : .f32))
      let expected = FloatDecoding.decode(old.dtype, from: old.location.bytes, count: old.elementCount).map { old.isQuantizable ? HalfPrecision.roundedToHalf($0) : $0 }
      #expect(FloatDecoding.decode(new.dtype, from: new.location.bytes, count: new.elementCount) == expected)
    }
    // The last tensor is padded too.
    #expect((written.fileBytes - parsed.dataOffset) % parsed.alignment == 0)
  }

  @Test func copiesExistingBlocksByteForByte() throws {
    let blocks = (0..<(2 * 4 * 18)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    var tensors = GGUFFixture.tinyLlama()
    tensors.append((GGUFTensorSpec(name: "blk.1.ffn_up.weight", shape: [2, 128], type: .q4_0), blocks))
    let model = try source(tensors: tensors)
    let out = GGUFFixture.path("copy")
    _ = try GGUFFormat.write(model, requests: [], provider: GGUFFixture.castingProvider, to: out, options: WriteOptions())
    let written = try GGUFFormat.open(path: out)
    let q = try #require(written.tensors.first { $0.name == "blk.1.ffn_up.weight" })
    #expect(q.dtype == .q4_0)
    #expect(Array(q.location.bytes) == blocks)
    #expect(GGUFFormat.parsedFile(of: written)?["general.file_type"] == .uint32(0))  // mostly F32
  }

  @Test func writesBlocksFromTheProviderWithFileType() throws {
    let model = try source()
    let out = GGUFFixture.path("q8")
    _ = try GGUFFormat.write(model, requests: requests(model, .blocks(.q8_0)), provider: GGUFFixture.castingProvider, to: out, options: WriteOptions())
    let written = try GGUFFormat.open(path: out)
    let q = try #require(written.tensors.first { $0.name == "blk.0.attn_q.weight" })
    #expect(q.dtype == .q8_0)
    #expect(q.byteCount == 64 * 64 / 32 * 34)
    #expect(GGUFFormat.parsedFile(of: written)?["general.file_type"] == .uint32(7))
  }

  @Test func presetFileTypeWinsAndSplitKeysGo() throws {
    var meta = GGUFFixture.basicMetadata
    meta.append(GGUFKeyValue(key: "split.no", value: .uint16(0)))
    meta.append(GGUFKeyValue(key: "split.count", value: .uint16(1)))
    meta.append(GGUFKeyValue(key: "general.file_type", value: .uint32(1)))
    let model = try source(metadata: meta)
    let out = GGUFFixture.path("preset")
    _ = try GGUFFormat.write(
      model, requests: [], provider: GGUFFixture.castingProvider, to: out, options: WriteOptions(), fileType: .q4_k_s,
      extraMetadata: [GGUFKeyValue(key: "quantize.imatrix.file", value: .string("x.gguf"))])
    let parsed = try #require(GGUFFormat.parsedFile(of: try GGUFFormat.open(path: out)))
    #expect(parsed["general.file_type"] == .uint32(14))
    #expect(parsed["split.count"] == nil && parsed["split.no"] == nil)
    #expect(parsed["quantize.imatrix.file"] == .string("x.gguf"))
    #expect(parsed.metadata.filter { $0.key == "general.file_type" }.count == 1)
  }

  @Test func linearSchemesAreRefusedAndNothingIsWritten() throws {
    let model = try source()
    let out = GGUFFixture.path("linear")
    let int8 = QuantEncoding.linear(.init(bits: 8, qmin: -127, qmax: 127, granularity: .channel(axis: 0), asymmetric: false))
    #expect(GGUFFormat.canStore(int8, tensor: model.tensors[0], in: model) != .storable)
    #expect(throws: FormatError.self) {
      try GGUFFormat.write(model, requests: requests(model, int8), provider: GGUFFixture.castingProvider, to: out, options: WriteOptions())
    }
    #expect(!FileManager.default.fileExists(atPath: out))
  }

  @Test func rowNotDivisibleIsRefused() throws {
    let model = try source()
    let index = try #require(model.tensorIndex(named: "blk.0.attn_q.weight"))
    let decision = GGUFFormat.canStore(.blocks(.q4_k), tensor: model.tensors[index], in: model)
    #expect(decision == .notStorable(reason: "row length 64 is not a multiple of Q4_K's block size 256"))
  }

  @Test func wrongSizeFromProviderLeavesNoFile() throws {
    let model = try source()
    let out = GGUFFixture.path("short")
    let short: QuantizedDataProvider = { tensor, encoding in QuantizedData(encoding: encoding, shape: tensor.shape, values: [1, 2, 3]) }
    #expect(throws: FormatError.self) {
      try GGUFFormat.write(model, requests: requests(model, .blocks(.q8_0)), provider: short, to: out, options: WriteOptions())
    }
    #expect(!FileManager.default.fileExists(atPath: out))
  }

  @Test func diskFullLeavesNoFile() throws {
    let model = try source()
    let out = GGUFFixture.path("full")
    #expect(throws: FormatError.self) {
      try GGUFFormat.write(model, requests: [], provider: GGUFFixture.castingProvider, to: out, options: WriteOptions(injectedFailureAfterBytes: 1000))
    }
    #expect(!FileManager.default.fileExists(atPath: out))
    let folder = (out as NSString).deletingLastPathComponent
    // Only this write's temp file: other tests write into the same folder in parallel.
    let name = (out as NSString).lastPathComponent
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains("qscope-tmp") && $0.contains(name) }
    #expect(leftovers.isEmpty)
  }

  @Test func refusesToOverwriteWithoutForce() throws {
    let model = try source()
    let out = GGUFFixture.write([1, 2, 3])
    #expect(throws: FormatError.self) {
      try GGUFFormat.write(model, requests: [], provider: GGUFFixture.castingProvider, to: out, options: WriteOptions())
    }
    _ = try GGUFFormat.write(model, requests: [], provider: GGUFFixture.castingProvider, to: out, options: WriteOptions(overwrite: true))
    #expect(try GGUFFormat.open(path: out).tensors.count == model.tensors.count)
  }

  @Test func encoderRejectsLongNamesAndDuplicates() {
    let long = String(repeating: "x", count: 64)
    #expect(throws: FormatError.self) {
      try GGUFEncoder.header(metadata: [], tensors: [GGUFTensorSpec(name: long, ne: [4], type: .f32)])
    }
    #expect(throws: FormatError.self) {
      try GGUFEncoder.header(metadata: [], tensors: [GGUFTensorSpec(name: "a", ne: [4], type: .f32), GGUFTensorSpec(name: "a", ne: [4], type: .f32)])
    }
  }
}

extension GGUFWriterTests {
  @Test func cancellationStopsTheWriteAndLeavesNoFile() throws {
    let model = try source()
    let out = GGUFFixture.path("cancel")
    let token = CancellationToken()
    token.cancel()
    #expect(throws: FormatError.self) {
      try GGUFFormat.write(model, requests: [], provider: GGUFFixture.castingProvider, to: out, options: WriteOptions(cancellation: token))
    }
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}

extension GGUFWriterTests {
  @Test func writesModelsFromOtherFormatsWithANote() throws {
    var model = try source()
    model.format = .safetensors
    model.formatContext = nil
    let out = GGUFFixture.path("from-safetensors")
    let notes = try GGUFFormat.write(model, requests: requests(model, .float16), provider: GGUFFixture.castingProvider, to: out, options: WriteOptions())
    #expect(notes.contains { $0.contains("source is safetensors") })
    let parsed = try #require(GGUFFormat.parsedFile(of: try GGUFFormat.open(path: out)))
    #expect(parsed.metadata.map(\.key) == ["general.file_type", "general.quantization_version"])
    #expect(parsed.tensors.count == model.tensors.count)
  }
}

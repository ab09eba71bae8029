import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct GGUFReaderTests {
  static let everyType: [GGUFKeyValue] = [
    GGUFKeyValue(key: "general.architecture", value: .string("llama")),
    GGUFKeyValue(key: "t.u8", value: .uint8(200)), GGUFKeyValue(key: "t.i8", value: .int8(-5)),
    GGUFKeyValue(key: "t.u16", value: .uint16(65000)), GGUFKeyValue(key: "t.i16", value: .int16(-300)),
    GGUFKeyValue(key: "t.u32", value: .uint32(4_000_000_000)), GGUFKeyValue(key: "t.i32", value: .int32(-7)),
    GGUFKeyValue(key: "t.f32", value: .float32(1.5)), GGUFKeyValue(key: "t.bool", value: .bool(true)),
    GGUFKeyValue(key: "t.str", value: .string("héllo")), GGUFKeyValue(key: "t.u64", value: .uint64(1 << 40)),
    GGUFKeyValue(key: "t.i64", value: .int64(-(1 << 40))), GGUFKeyValue(key: "t.f64", value: .float64(-2.25)),
    GGUFKeyValue(key: "t.a.u8", value: .array(.uint8([1, 2]))), GGUFKeyValue(key: "t.a.i8", value: .array(.int8([-1]))),
    GGUFKeyValue(key: "t.a.u16", value: .array(.uint16([3]))), GGUFKeyValue(key: "t.a.i16", value: .array(.int16([-3]))),
    GGUFKeyValue(key: "t.a.u32", value: .array(.uint32([4]))), GGUFKeyValue(key: "t.a.i32", value: .array(.int32(Array(0..<100)))),
    GGUFKeyValue(key: "t.a.f32", value: .array(.float32([0.5, -0.5]))), GGUFKeyValue(key: "t.a.bool", value: .array(.bool([true, false]))),
    GGUFKeyValue(key: "t.a.str", value: .array(.string((0..<32000).map { "tok\($0)" }))),
    GGUFKeyValue(key: "t.a.u64", value: .array(.uint64([5]))), GGUFKeyValue(key: "t.a.i64", value: .array(.int64([-5]))),
    GGUFKeyValue(key: "t.a.f64", value: .array(.float64([0.25]))), GGUFKeyValue(key: "t.a.empty", value: .array(.float32([]))),
  ]

  @Test func readsEveryMetadataTypeBack() throws {
    let path = GGUFFixture.write(try GGUFEncoder.file(metadata: Self.everyType, tensors: GGUFFixture.tinyLlama()))
    let model = try GGUFFormat.open(path: path)
    let parsed = try #require(GGUFFormat.parsedFile(of: model))
    #expect(parsed.metadata == Self.everyType)
    #expect(parsed.version == 3)
    let text = Dictionary(uniqueKeysWithValues: model.metadata.map { ($0.key, $0.value) })
    #expect(text["t.a.str"] == "[32000 strings]")
    #expect(text["t.a.i32"] == "[100 INT32]")
    #expect(text["t.a.f32"] == "[0.5, -0.5]")
    #expect(text["t.u64"] == "1099511627776")
    #expect(text["t.bool"] == "true")
    #expect(model.metadata.count == Self.everyType.count)
  }

  @Test func readsVersion2() throws {
    var bytes = try GGUFFixture.tinyLlamaFile()
    GGUFFixture.writeU32(2, at: 4, in: &bytes)
    let model = try GGUFFormat.open(path: GGUFFixture.write(bytes))
    #expect(GGUFFormat.parsedFile(of: model)?.version == 2)
    #expect(model.tensors.count == 11)
  }

  @Test func shapesAreNumpyOrderAndDataIsMapped() throws {
    let source = GGUFFixture.tinyLlama()
    let model = try GGUFFormat.open(path: GGUFFixture.write(try GGUFFixture.tinyLlamaFile()))
    let ffn = try #require(model.tensors.first { $0.name == "blk.1.ffn_down.weight" })
    #expect(ffn.shape == [64, 128])
    #expect(GGUFFormat.parsedFile(of: model)?.tensors[8].ne == [128, 64])
    let expected = try #require(source.first { $0.spec.name == ffn.name }).data
    #expect(Array(ffn.location.bytes) == expected)
    #expect(ffn.location.offset % 32 == 0)
  }

  @Test func namesGiveLayersOpsRolesAndQuantizability() throws {
    let model = try GGUFFormat.open(path: GGUFFixture.write(try GGUFFixture.tinyLlamaFile()))
    #expect(model.layers.map(\.name) == ["token_embd", "blk.0", "blk.1", "output_norm", "output"])
    #expect(model.layers[1].tensorIndices.count == 4)
    let byName = Dictionary(uniqueKeysWithValues: model.tensors.map { ($0.name, $0) })
    #expect(byName["blk.0.attn_q.weight"]?.op == "attn_q")
    #expect(byName["blk.0.attn_q.weight"]?.layer == "blk.0")
    #expect(byName["blk.0.attn_q.weight"]?.isQuantizable == true)
    #expect(byName["blk.0.attn_norm.weight"]?.role == .norm)
    #expect(byName["blk.0.attn_norm.weight"]?.isQuantizable == false)
    #expect(byName["token_embd.weight"]?.role == .embedding)
    #expect(byName["token_embd.weight"]?.isQuantizable == true)
    #expect(byName["output.weight"]?.isQuantizable == true)
    #expect(model.notes.first?.contains("2 blocks") == true)
    #expect(model.notes.first?.contains("tokenizer llama (5 tokens)") == true)
  }

  @Test func honoursGeneralAlignment() throws {
    var metadata = GGUFFixture.basicMetadata
    metadata.append(GGUFKeyValue(key: "general.alignment", value: .uint32(64)))
    let bytes = try GGUFEncoder.file(metadata: metadata, tensors: GGUFFixture.tinyLlama())
    let parsed = try GGUFFixture.parse(bytes)
    #expect(parsed.alignment == 64)
    #expect(parsed.dataOffset % 64 == 0)
    #expect(parsed.tensors.allSatisfy { $0.relativeOffset % 64 == 0 })
    #expect(parsed.tensors[1].relativeOffset == 32 * 64 * 4)
    #expect((bytes.count - parsed.dataOffset) % 64 == 0)
  }

  @Test func registryDetectsGGUFByMagic() throws {
    let path = GGUFFixture.write(try GGUFFixture.tinyLlamaFile())
    let renamed = path + ".bin"
    try FileManager.default.moveItem(atPath: path, toPath: renamed)
    #expect(try FormatRegistry.detect(path: renamed).kind == .gguf)
  }
}

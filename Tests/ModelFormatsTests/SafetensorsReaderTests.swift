import Testing
import TensorCore

@testable import ModelFormats

@Suite struct SafetensorsReaderTests {
  @Test("reads every tensor's dtype, shape and bytes, and keeps __metadata__")
  func readsTensors() throws {
    let path = try SafetensorsFixtures.writeModel(metadata: ["format": "pt", "note": "ünïcode"])
    let model = try SafetensorsFormat.open(path: path)
    #expect(model.format == .safetensors)
    #expect(model.metadata == [MetadataEntry(key: "format", value: "pt"), MetadataEntry(key: "note", value: "ünïcode")])
    for spec in SafetensorsFixtures.smallModel() {
      let tensor = try #require(model.tensors.first { $0.name == spec.name })
      #expect(tensor.dtype == spec.dtype)
      #expect(tensor.shape == spec.shape)
      #expect(Array(tensor.location.bytes) == spec.bytes, "bytes of \(spec.name)")
    }
    #expect(model.fileBytes == (try SafetensorsFixtures.read(path)).count)
  }

  @Test("guesses layer, op, role and quantizability from PyTorch names")
  func guessesRoles() throws {
    let model = try SafetensorsFormat.open(path: SafetensorsFixtures.writeModel())
    func tensor(_ name: String) throws -> ModelTensor { try #require(model.tensors.first { $0.name == name }) }
    let query = try tensor("encoder.layer.0.attention.self.query.weight")
    #expect(query.layer == "encoder.layer.0.attention.self.query")
    #expect(query.op == "Linear" && query.role == .weight && query.isQuantizable && query.channelAxis == 0)
    let bias = try tensor("encoder.layer.0.attention.self.query.bias")
    #expect(bias.role == .bias && !bias.isQuantizable && bias.op == "Linear")
    let embedding = try tensor("embeddings.word_embeddings.weight")
    #expect(embedding.op == "Embedding" && embedding.role == .embedding && embedding.isQuantizable)
    let norm = try tensor("encoder.layer.0.LayerNorm.weight")
    #expect(norm.op == "Norm" && norm.role == .norm && !norm.isQuantizable)
    let conv = try tensor("conv1.weight")
    #expect(conv.op == "Conv" && conv.role == .weight && conv.isQuantizable)
    let counter = try tensor("num_batches_tracked")
    #expect(counter.op == nil && counter.role == .other && !counter.isQuantizable && counter.shape.isEmpty)
    #expect(try tensor("lm_head.weight").isQuantizable)
    let layer = try #require(model.layers.first { $0.name == "encoder.layer.0.attention.self.query" })
    #expect(layer.kind == "Linear")
    #expect(layer.tensorIndices.map { model.tensors[$0].name }.sorted() == [bias.name, query.name])
  }

  @Test("layers follow the order tensors first appear in the header text")
  func layerOrderFollowsHeader() throws {
    let json = """
      {"b.weight":{"dtype":"F32","shape":[1,1],"data_offsets":[4,8]},\
      "a.weight":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},\
      "b.bias":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}
      """
    let folder = try SafetensorsFixtures.makeFolder()
    try SafetensorsFixtures.write(SafetensorsFixtures.raw(json: json, data: [UInt8](repeating: 0, count: 12)), to: folder + "/m.safetensors")
    let model = try SafetensorsFormat.open(path: folder + "/m.safetensors")
    #expect(model.tensors.map(\.name) == ["b.weight", "a.weight", "b.bias"])
    #expect(model.layers.map(\.name) == ["b", "a"])
    #expect(model.layers.first?.tensorIndices == [0, 2])
    #expect(model.tensors[1].location.offset == 8 + json.utf8.count)
  }

  @Test("F8 tensors are listed with a note, rank-0 scalars and empty tensors are accepted")
  func listsUndecodedTypes() throws {
    let path = try SafetensorsFixtures.writeModel([
      ("w.weight", .f8e4m3, [2, 2], [1, 2, 3, 4]),
      ("s", .f32, [], SafetensorsFixtures.float32Bytes([3.5])),
      ("e", .f16, [3, 0], []),
    ])
    let model = try SafetensorsFormat.open(path: path)
    let f8 = try #require(model.tensors.first { $0.name == "w.weight" })
    #expect(f8.note == "F8_E4M3 weights are listed but not decoded")
    #expect(!f8.isQuantizable)
    #expect(model.notes.contains("F8_E4M3 tensors are listed but not decoded"))
    #expect(model.tensors.first { $0.name == "s" }?.elementCount == 1)
    #expect(model.tensors.first { $0.name == "e" }?.byteCount == 0)
  }

  @Test("accepts whitespace around the JSON and a header that is not 8-aligned")
  func acceptsWhitespace() throws {
    let json = "  {\"x\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}} "
    let folder = try SafetensorsFixtures.makeFolder()
    try SafetensorsFixtures.write(SafetensorsFixtures.raw(json: json, data: [9, 8, 7]), to: folder + "/w.safetensors")
    let model = try SafetensorsFormat.open(path: folder + "/w.safetensors")
    #expect(Array(model.tensors[0].location.bytes) == [9, 8, 7])
  }

  @Test("probe recognises safetensors heads and index files, and nothing else")
  func probes() throws {
    let good = SafetensorsFixtures.raw(json: " {}")
    let gguf = Array("GGUF".utf8) + [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    let huge = SafetensorsFixtures.raw(json: "{}", declaredLength: 200_000_000)
    func probe(_ bytes: [UInt8], _ path: String = "x.bin") -> Bool {
      bytes.withUnsafeBytes { SafetensorsFormat.probe(head: $0, path: path) }
    }
    #expect(probe(good))
    #expect(!probe(gguf))
    #expect(!probe(huge))
    #expect(!probe([1, 2]))
    #expect(probe(Array("{".utf8), "/m/model.safetensors.index.json"))
  }

  @Test("the registry detects and opens safetensors files")
  func registryOpens() throws {
    let path = try SafetensorsFixtures.writeModel()
    #expect(try FormatRegistry.detect(path: path).kind == .safetensors)
    #expect(try FormatRegistry.open(path: path).tensors.count == SafetensorsFixtures.smallModel().count)
  }
}

import Testing
import TensorCore

@testable import ModelFormats

@Suite struct SafetensorsShardTests {
  /// Two shards and an index in a new folder; returns the folder.
  func makeShards(index: String? = nil) throws -> String {
    let folder = try SafetensorsFixtures.makeFolder()
    let all = SafetensorsFixtures.smallModel()
    _ = try SafetensorsFixtures.writeModel(Array(all[0..<3]), name: "model-00001-of-00002.safetensors", in: folder)
    _ = try SafetensorsFixtures.writeModel(Array(all[3...]), name: "model-00002-of-00002.safetensors", in: folder)
    let map = all.enumerated().map { i, spec in
      "\"\(spec.name)\": \"model-0000\(i < 3 ? 1 : 2)-of-00002.safetensors\""
    }.joined(separator: ", ")
    let text = index ?? "{\"metadata\": {\"total_size\": 123}, \"weight_map\": {\(map)}}"
    try SafetensorsFixtures.write(Array(text.utf8), to: folder + "/" + SafetensorsFormat.indexFileName)
    return folder
  }

  @Test("opening the index opens every shard, validated, with sizes summed")
  func opensIndex() throws {
    let folder = try makeShards()
    let model = try SafetensorsFormat.open(path: folder + "/model.safetensors.index.json")
    #expect(model.tensors.map(\.name) == SafetensorsFixtures.smallModel().map(\.name).sortedByShard())
    let shard1 = try SafetensorsFixtures.read(folder + "/model-00001-of-00002.safetensors").count
    let shard2 = try SafetensorsFixtures.read(folder + "/model-00002-of-00002.safetensors").count
    #expect(model.fileBytes == shard1 + shard2)
    #expect(model.metadata.contains(MetadataEntry(key: "index.total_size", value: "123")))
    #expect(model.notes.first == "sharded: 2 files listed in model.safetensors.index.json")
    #expect(try FormatRegistry.open(path: folder + "/model.safetensors.index.json").tensors.count == model.tensors.count)
    for spec in SafetensorsFixtures.smallModel() {
      #expect(model.tensors.first { $0.name == spec.name }.map { Array($0.location.bytes) } == spec.bytes)
    }
  }

  @Test("opening one shard beside an index opens the whole set")
  func opensFromShard() throws {
    let folder = try makeShards()
    let model = try SafetensorsFormat.open(path: folder + "/model-00002-of-00002.safetensors")
    #expect(model.tensors.count == SafetensorsFixtures.smallModel().count)
    #expect(model.path == folder + "/model-00002-of-00002.safetensors")
  }

  @Test("an index naming a tensor its shard lacks is an error naming the tensor")
  func missingTensor() throws {
    let folder = try makeShards(index: "{\"weight_map\": {\"ghost.weight\": \"model-00001-of-00002.safetensors\"}}")
    let index = folder + "/model.safetensors.index.json"
    #expect(throws: FormatError.badTensor(file: index, tensor: "ghost.weight", offset: nil, reason: "listed in weight_map for model-00001-of-00002.safetensors but not found there")) {
      try SafetensorsFormat.open(path: index)
    }
  }

  @Test("shard names that are paths are refused")
  func pathTraversal() throws {
    let folder = try makeShards(index: "{\"weight_map\": {\"x\": \"../etc/passwd\"}}")
    let index = folder + "/model.safetensors.index.json"
    #expect(throws: FormatError.badTensor(file: index, tensor: "x", offset: 16, reason: "shard name '../etc/passwd' must be a plain file name")) {
      try SafetensorsFormat.open(path: index)
    }
  }

  @Test("a broken shard fails the whole open with that shard's error")
  func brokenShard() throws {
    let folder = try makeShards()
    let shard = folder + "/model-00002-of-00002.safetensors"
    var bytes = try SafetensorsFixtures.read(shard)
    bytes.append(0)
    try SafetensorsFixtures.write(bytes, to: shard)
    #expect {
      try SafetensorsFormat.open(path: folder + "/model.safetensors.index.json")
    } throws: { error in
      guard case let .invalid(file, _, _, reason) = error as? FormatError else { return false }
      return file == shard && reason.hasPrefix("file not fully covered")
    }
  }
}

extension [String] {
  /// The fixture's names in shard order: shard 1 holds the first three, in header (reference writer) order.
  func sortedByShard() -> [String] {
    let all = SafetensorsFixtures.smallModel()
    func order(_ specs: ArraySlice<SafetensorsFixtures.TensorSpec>) -> [String] {
      specs.sorted { a, b in
        a.dtype.bytesPerBlock != b.dtype.bytesPerBlock ? a.dtype.bytesPerBlock > b.dtype.bytesPerBlock : a.name < b.name
      }.map(\.name)
    }
    return order(all[0..<3]) + order(all[3...])
  }
}

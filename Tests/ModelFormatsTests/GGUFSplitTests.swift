import Foundation
import TensorCore
import Testing

@testable import ModelFormats

/// Split GGUF (llama.cpp's gguf-split layout): shards opened from the first one as one model.
@Suite struct GGUFSplitTests {
  /// Writes the tiny llama split into `count` shards in a fresh folder; returns the first shard's
  /// path. `tweak` may change each shard's metadata (index 0-based) before it is encoded.
  static func writeShards(
    count: Int, prefix: String = "tiny", tweak: (Int, inout [GGUFKeyValue]) -> Void = { _, _ in }
  ) throws -> (first: String, folder: String) {
    let folder = GGUFFixture.scratchFolder() + "/split-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let tensors = GGUFFixture.tinyLlama()
    let name = GGUFSplitName(prefix: "\(folder)/\(prefix)", number: 1, count: count)
    let perShard = (tensors.count + count - 1) / count
    for shard in 0..<count {
      var metadata: [GGUFKeyValue] = shard == 0 ? GGUFFixture.basicMetadata : []
      metadata.append(GGUFKeyValue(key: "split.no", value: .uint16(UInt16(shard))))
      metadata.append(GGUFKeyValue(key: "split.count", value: .uint16(UInt16(count))))
      metadata.append(GGUFKeyValue(key: "split.tensors.count", value: .int32(Int32(tensors.count))))
      tweak(shard, &metadata)
      let share = Array(tensors[min(tensors.count, shard * perShard)..<min(tensors.count, (shard + 1) * perShard)])
      let bytes = try GGUFEncoder.file(metadata: metadata, tensors: share)
      _ = FileManager.default.createFile(atPath: name.path(ofShard: shard + 1), contents: Data(bytes))
    }
    return (name.path(ofShard: 1), folder)
  }

  static func message(_ body: () throws -> Void) -> String {
    do { try body() } catch { return String(describing: error) }
    return "no error"
  }

  @Test func splitNamesParseAndFormatLikeLlamaCpp() throws {
    let name = try #require(GGUFSplitName(path: "/m/Llama-3-8B-Q4_K_M-00002-of-00005.gguf"))
    #expect(name.prefix == "/m/Llama-3-8B-Q4_K_M")
    #expect(name.number == 2 && name.count == 5)
    #expect(name.path(ofShard: 5) == "/m/Llama-3-8B-Q4_K_M-00005-of-00005.gguf")
    #expect(GGUFSplitName(path: "/m/model.gguf") == nil)
    #expect(GGUFSplitName(path: "/m/model-2-of-5.gguf") == nil)
    #expect(GGUFSplitName(path: "/m/model-00006-of-00005.gguf") == nil)
  }

  @Test func threeShardsOpenAsOneModel() throws {
    let (first, _) = try Self.writeShards(count: 3)
    let whole = GGUFFixture.write(try GGUFFixture.tinyLlamaFile())
    let model = try GGUFFormat.open(path: first)
    let reference = try GGUFFormat.open(path: whole)
    #expect(model.tensors.map(\.name) == reference.tensors.map(\.name))
    for (a, b) in zip(model.tensors, reference.tensors) {
      #expect(a.shape == b.shape && a.dtype == b.dtype)
      #expect(Array(a.location.bytes) == Array(b.location.bytes), "\(a.name)")
    }
    let shards = try #require(GGUFFormat.parsedFile(of: model)?.shardPaths)
    #expect(shards.count == 3 && shards[0] == first)
    let sizes = try shards.map { try #require(FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) }
    #expect(model.fileBytes == sizes.reduce(0, +))
    #expect(model.metadata.contains { $0.key == "general.architecture" && $0.value.contains("llama") })
    #expect(model.notes.contains { $0.contains("3 shards") })
    #expect(model.layers.map(\.name).contains("blk.1"))
  }

  @Test func missingShardIsNamed() throws {
    let (first, _) = try Self.writeShards(count: 3)
    let second = try #require(GGUFSplitName(path: first)).path(ofShard: 2)
    try FileManager.default.removeItem(atPath: second)
    let text = Self.message { _ = try GGUFFormat.open(path: first) }
    #expect(text.contains("tiny-00002-of-00003.gguf"), "\(text)")
    #expect(text.contains("shard 2 of 3"), "\(text)")
  }

  @Test func inconsistentCountsAreErrors() throws {
    let (badCount, _) = try Self.writeShards(count: 3) { shard, metadata in
      if shard == 2, let at = metadata.firstIndex(where: { $0.key == "split.count" }) {
        metadata[at].value = .uint16(4)
      }
    }
    let countText = Self.message { _ = try GGUFFormat.open(path: badCount) }
    #expect(countText.contains("tiny-00003-of-00003.gguf") && countText.contains("split.count"), "\(countText)")

    let (badIndex, _) = try Self.writeShards(count: 3) { shard, metadata in
      if shard == 1, let at = metadata.firstIndex(where: { $0.key == "split.no" }) { metadata[at].value = .uint16(2) }
    }
    let indexText = Self.message { _ = try GGUFFormat.open(path: badIndex) }
    #expect(indexText.contains("split.no") && indexText.contains("expected 1"), "\(indexText)")

    let (badTotal, _) = try Self.writeShards(count: 2) { shard, metadata in
      if shard == 0, let at = metadata.firstIndex(where: { $0.key == "split.tensors.count" }) {
        metadata[at].value = .int32(99)
      }
    }
    let totalText = Self.message { _ = try GGUFFormat.open(path: badTotal) }
    #expect(totalText.contains("split.tensors.count") && totalText.contains("99"), "\(totalText)")
  }

  @Test func laterShardPointsAtTheFirst() throws {
    let (first, _) = try Self.writeShards(count: 2)
    let second = try #require(GGUFSplitName(path: first)).path(ofShard: 2)
    let text = Self.message { _ = try GGUFFormat.open(path: second) }
    #expect(text.contains("open the first shard") && text.contains("tiny-00001-of-00002.gguf"), "\(text)")
  }

  @Test func renamedFirstShardCannotFindItsSiblings() throws {
    let (first, folder) = try Self.writeShards(count: 2)
    let renamed = folder + "/renamed.gguf"
    try FileManager.default.moveItem(atPath: first, toPath: renamed)
    let text = Self.message { _ = try GGUFFormat.open(path: renamed) }
    #expect(text.contains("-00001-of-00002.gguf"), "\(text)")
  }

  @Test func splitInputWritesOneFileWithoutSplitKeys() throws {
    let (first, folder) = try Self.writeShards(count: 3)
    let model = try GGUFFormat.open(path: first)
    let out = folder + "/joined.gguf"
    let requests = model.tensors.indices.filter { model.tensors[$0].isQuantizable }.map {
      TensorWriteRequest(tensorIndex: $0, encoding: .float16)
    }
    _ = try GGUFFormat.write(model, requests: requests, provider: GGUFFixture.castingProvider, to: out, options: WriteOptions())
    let joined = try GGUFFormat.open(path: out)
    #expect(joined.tensors.map(\.name) == model.tensors.map(\.name))
    let parsed = try #require(GGUFFormat.parsedFile(of: joined))
    #expect(parsed.shardPaths.isEmpty)
    #expect(parsed["split.count"] == nil && parsed["split.no"] == nil && parsed["split.tensors.count"] == nil)
    #expect(parsed.architecture == "llama")
    for (a, b) in zip(joined.tensors, model.tensors) where !b.isQuantizable {
      #expect(Array(a.location.bytes) == Array(b.location.bytes), "\(a.name)")
    }
    // The output may not replace any shard of its input.
    let second = try #require(GGUFSplitName(path: first)).path(ofShard: 2)
    #expect(throws: FormatError.self) {
      _ = try GGUFFormat.write(model, requests: [], provider: GGUFFixture.castingProvider, to: second, options: WriteOptions(overwrite: true))
    }
  }
}

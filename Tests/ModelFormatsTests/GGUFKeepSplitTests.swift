import Foundation
import TensorCore
import Testing

@testable import ModelFormats

/// `--keep-split`: a split input written back as the same shards.
@Suite struct GGUFKeepSplitTests {
  static func f16Requests(_ model: Model) -> [TensorWriteRequest] {
    model.tensors.indices.filter { model.tensors[$0].isQuantizable }.map { TensorWriteRequest(tensorIndex: $0, encoding: .float16) }
  }

  static func leftovers(in folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains("qscope-tmp") || $0.hasPrefix("out") }
  }

  @Test func shardPathsFollowLlamaQuantize() {
    #expect(GGUFOutputFile.shardPaths(output: "/m/out.gguf", count: 3) == [
      "/m/out-00001-of-00003.gguf", "/m/out-00002-of-00003.gguf", "/m/out-00003-of-00003.gguf",
    ])
    #expect(GGUFOutputFile.shardPaths(output: "/m/out-00001-of-00002.gguf", count: 2).first == "/m/out-00001-of-00002.gguf")
    #expect(GGUFOutputFile.shardPaths(output: "/m/out", count: 2).last == "/m/out-00002-of-00002.gguf")
  }

  @Test func splitInputIsWrittenAsTheSameShards() throws {
    let (first, folder) = try GGUFSplitTests.writeShards(count: 3)
    let model = try GGUFFormat.open(path: first)
    var options = WriteOptions()
    options.keepSplit = true
    _ = try GGUFFormat.write(model, requests: Self.f16Requests(model), provider: GGUFFixture.castingProvider, to: folder + "/out.gguf", options: options)
    let paths = GGUFFormat.outputPaths(for: model, output: folder + "/out.gguf", keepSplit: true)
    #expect(paths.count == 3)
    #expect(!FileManager.default.fileExists(atPath: folder + "/out.gguf"))

    // Each output shard holds the tensors of the matching input shard, in order.
    let inputShards = try #require(GGUFFormat.parsedFile(of: model)?.shardPaths)
    for (shard, path) in paths.enumerated() {
      // The mappings must outlive the parse, which reads through them.
      let writtenFile = try MappedFile(path: path), sourceFile = try MappedFile(path: inputShards[shard])
      let written = try withExtendedLifetime(writtenFile) { try GGUFParser.parse(writtenFile.bytes, file: path) }
      let source = try withExtendedLifetime(sourceFile) { try GGUFParser.parse(sourceFile.bytes, file: inputShards[shard]) }
      #expect(written.tensors.map(\.name) == source.tensors.map(\.name), "shard \(shard + 1)")
      #expect(written["split.no"]?.intValue == shard && written["split.count"]?.intValue == 3)
      #expect(written["split.tensors.count"]?.intValue == model.tensors.count)
      if shard == 0 {
        #expect(written.architecture == "llama" && written["general.file_type"] != nil)
      } else {
        #expect(written.metadata.count == 3, "later shards carry only the split keys")
      }
    }

    // Read back as one model: quantized tensors are f16, the rest byte-identical.
    let reopened = try GGUFFormat.open(path: paths[0])
    #expect(reopened.tensors.map(\.name) == model.tensors.map(\.name))
    for (a, b) in zip(reopened.tensors, model.tensors) {
      if b.isQuantizable { #expect(a.dtype == .f16, "\(a.name)") } else { #expect(Array(a.location.bytes) == Array(b.location.bytes), "\(a.name)") }
    }
  }

  @Test func aFailureInALaterShardLeavesNoShardBehind() throws {
    let (first, folder) = try GGUFSplitTests.writeShards(count: 3)
    let model = try GGUFFormat.open(path: first)
    let lastName = try #require(model.tensors.last(where: \.isQuantizable)?.name)
    let failing: QuantizedDataProvider = { tensor, encoding in
      if tensor.name == lastName { throw FormatError.cannotStore(file: "test", tensor: tensor.name, reason: "injected") }
      return try GGUFFixture.castingProvider(tensor, encoding)
    }
    var options = WriteOptions()
    options.keepSplit = true
    #expect(throws: FormatError.self) {
      _ = try GGUFFormat.write(model, requests: Self.f16Requests(model), provider: failing, to: folder + "/out.gguf", options: options)
    }
    #expect(try Self.leftovers(in: folder).isEmpty)
  }

  @Test func anExistingShardStopsTheWriteBeforeAnyIsWritten() throws {
    let (first, folder) = try GGUFSplitTests.writeShards(count: 2)
    let model = try GGUFFormat.open(path: first)
    let second = folder + "/out-00002-of-00002.gguf"
    _ = FileManager.default.createFile(atPath: second, contents: Data("keep me".utf8))
    var options = WriteOptions()
    options.keepSplit = true
    #expect(throws: FormatError.self) {
      _ = try GGUFFormat.write(model, requests: [], provider: GGUFFixture.castingProvider, to: folder + "/out.gguf", options: options)
    }
    #expect(try Self.leftovers(in: folder) == ["out-00002-of-00002.gguf"])
    #expect(try String(contentsOfFile: second, encoding: .utf8) == "keep me")
  }

  @Test func oneFileInputStaysOneFileWithANote() throws {
    let (first, folder) = try GGUFSplitTests.writeShards(count: 1)
    let model = try GGUFFormat.open(path: first)
    var options = WriteOptions()
    options.keepSplit = true
    let out = folder + "/out.gguf"
    let notes = try GGUFFormat.write(model, requests: [], provider: GGUFFixture.castingProvider, to: out, options: options)
    #expect(FileManager.default.fileExists(atPath: out))
    #expect(notes.contains { $0.contains("--keep-split") })
    #expect(GGUFFormat.outputPaths(for: model, output: out, keepSplit: true) == [out])
  }
}

/// gguf-split's limits on the output: `--split-max-tensors` and `--split-max-size`.
@Suite struct GGUFSplitLimitTests {
  static func open() throws -> (Model, String) {
    let path = GGUFFixture.write(try GGUFFixture.tinyLlamaFile(), name: "split-limit-\(UUID().uuidString.prefix(8))")
    let folder = GGUFFixture.scratchFolder() + "/limit-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return (try GGUFFormat.open(path: path), folder)
  }

  /// Each shard's tensor names, from the files.
  static func shardNames(_ paths: [String]) throws -> [[String]] {
    try paths.map { path in
      let mapped = try MappedFile(path: path)
      return try withExtendedLifetime(mapped) { try GGUFParser.parse(mapped.bytes, file: path).tensors.map(\.name) }
    }
  }

  @Test func atMostNTensorsPerShardInOrder() throws {
    let (model, folder) = try Self.open()
    var options = WriteOptions()
    options.splitLimit = .tensors(3)
    _ = try GGUFFormat.write(model, requests: [], provider: GGUFFixture.castingProvider, to: folder + "/out.gguf", options: options)
    let paths = GGUFFormat.writtenPaths(output: folder + "/out.gguf")
    #expect(paths.count == (model.tensors.count + 2) / 3)
    let names = try Self.shardNames(paths)
    #expect(names.dropLast().allSatisfy { $0.count == 3 })
    #expect(names.flatMap { $0 } == model.tensors.map(\.name))
    let reopened = try GGUFFormat.open(path: paths[0])
    for (a, b) in zip(reopened.tensors, model.tensors) { #expect(Array(a.location.bytes) == Array(b.location.bytes), "\(a.name)") }
  }

  @Test func atMostNBytesPerShardUnlessOneTensorIsBigger() throws {
    let (model, folder) = try Self.open()
    let sizes = model.tensors.map { ($0.byteCount + 31) / 32 * 32 }
    let limit = try #require(sizes.max()) - 1  // the largest tensor cannot fit: it gets a shard alone
    var options = WriteOptions()
    options.splitLimit = .bytes(limit)
    _ = try GGUFFormat.write(model, requests: [], provider: GGUFFixture.castingProvider, to: folder + "/out.gguf", options: options)
    let paths = GGUFFormat.writtenPaths(output: folder + "/out.gguf")
    #expect(paths.count > 1)
    let byName = Dictionary(uniqueKeysWithValues: zip(model.tensors.map(\.name), sizes))
    for names in try Self.shardNames(paths) {
      let total = names.compactMap { byName[$0] }.reduce(0, +)
      #expect(total <= limit || names.count == 1, "\(names): \(total) bytes")
    }
    #expect(try Self.shardNames(paths).flatMap { $0 } == model.tensors.map(\.name))
  }

  @Test func aLimitTheModelFitsWritesOneFileWithANote() throws {
    let (model, folder) = try Self.open()
    var options = WriteOptions()
    options.splitLimit = .bytes(1 << 30)
    let out = folder + "/out.gguf"
    let notes = try GGUFFormat.write(model, requests: [], provider: GGUFFixture.castingProvider, to: out, options: options)
    #expect(GGUFFormat.writtenPaths(output: out) == [out])
    #expect(notes.contains { $0.contains("fits one file") })
  }
}

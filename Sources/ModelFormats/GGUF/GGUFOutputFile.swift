import TensorCore

/// One file of a GGUF write: the whole model, or one shard of it with `--keep-split`.
struct GGUFOutputFile {
  var path: String
  /// Model tensor indices stored in this file, in output order.
  var tensorIndices: [Int]
  var specs: [GGUFTensorSpec]
  var metadata: [GGUFKeyValue]
  var header: GGUFEncoder.Header
  var alignment: Int

  init(path: String, tensorIndices: [Int], specs: [GGUFTensorSpec], metadata: [GGUFKeyValue]) throws(FormatError) {
    self.path = path; self.tensorIndices = tensorIndices; self.specs = specs; self.metadata = metadata
    header = try GGUFEncoder.header(metadata: metadata, tensors: specs, file: path)
    alignment = try GGUFParser.readAlignment(metadata, file: path)
  }

  /// The files to write: one, or with `keepSplit` and a split source the source's shards
  /// (llama-quantize `--keep-split`): each shard keeps its tensors in their order, the first
  /// carries all metadata, and every shard gets `split.no`, `split.count` and
  /// `split.tensors.count`. Shard paths are `<output without .gguf>-0000i-of-0000N.gguf`.
  static func layout(
    model: Model, plan: GGUFWritePlan, metadata: [GGUFKeyValue], path: String, keepSplit: Bool, notes: inout [String]
  ) throws(FormatError) -> [GGUFOutputFile] {
    let shards = GGUFFormat.parsedFile(of: model)?.shardPaths ?? []
    guard keepSplit, shards.count > 1 else {
      if keepSplit { notes.append("--keep-split: the input is one file, so the output is one file") }
      return [try GGUFOutputFile(path: path, tensorIndices: plan.order, specs: plan.specs, metadata: metadata)]
    }
    guard shards.count <= Int(UInt16.max), model.tensors.count <= Int(Int32.max) else {
      throw .cannotStore(file: path, tensor: "", reason: "\(shards.count) shards or \(model.tensors.count) tensors do not fit the split keys")
    }
    var positionsByShard = [[Int]](repeating: [], count: shards.count)
    for (position, index) in plan.order.enumerated() {
      guard let shard = shards.firstIndex(of: model.tensors[index].location.file.path) else {
        throw .cannotStore(file: path, tensor: model.tensors[index].name, reason: "its data is in none of the input's shards")
      }
      positionsByShard[shard].append(position)
    }
    let paths = shardPaths(output: path, count: shards.count)
    var files: [GGUFOutputFile] = []
    for (shard, positions) in positionsByShard.enumerated() {
      var keys = shard == 0 ? metadata : []
      keys.append(GGUFKeyValue(key: "split.no", value: .uint16(UInt16(shard))))
      keys.append(GGUFKeyValue(key: "split.count", value: .uint16(UInt16(shards.count))))
      keys.append(GGUFKeyValue(key: "split.tensors.count", value: .int32(Int32(model.tensors.count))))
      files.append(try GGUFOutputFile(
        path: paths[shard], tensorIndices: positions.map { plan.order[$0] }, specs: positions.map { plan.specs[$0] },
        metadata: keys))
    }
    return files
  }

  /// `out.gguf` → `out-00001-of-0000N.gguf` …; an output already named as a shard keeps its prefix.
  static func shardPaths(output: String, count: Int) -> [String] {
    let prefix: String
    if let name = GGUFSplitName(path: output) {
      prefix = name.prefix
    } else if output.hasSuffix(".gguf") {
      prefix = String(output.dropLast(".gguf".count))
    } else {
      prefix = output
    }
    let name = GGUFSplitName(prefix: prefix, number: 1, count: count)
    return (1...count).map { name.path(ofShard: $0) }
  }
}

extension GGUFFormat {
  /// The files a write of `model` to `output` produces: the shard paths with `keepSplit` and a
  /// split source, else `output` alone.
  public static func outputPaths(for model: Model, output: String, keepSplit: Bool) -> [String] {
    let shards = parsedFile(of: model)?.shardPaths.count ?? 0
    guard keepSplit, shards > 1 else { return [output] }
    return keepSplitPaths(output: output, count: shards)
  }

  /// The `count` shard paths `--keep-split` writes for `output`.
  public static func keepSplitPaths(output: String, count: Int) -> [String] {
    GGUFOutputFile.shardPaths(output: output, count: count)
  }
}

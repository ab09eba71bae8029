import Foundation
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

  /// The files to write: one, or shards (`<output without .gguf>-0000i-of-0000N.gguf`) when
  /// `options.keepSplit` meets a split source (llama-quantize `--keep-split`: the source's shards,
  /// each keeping its tensors in order) or `options.splitLimit` is set (gguf-split's
  /// `--split-max-tensors` / `--split-max-size`: tensors in order, a new shard whenever the next
  /// would pass the limit). The first shard carries all metadata and every shard gets `split.no`,
  /// `split.count` and `split.tensors.count`.
  static func layout(
    model: Model, plan: GGUFWritePlan, metadata: [GGUFKeyValue], path: String, options: WriteOptions, notes: inout [String]
  ) throws(FormatError) -> [GGUFOutputFile] {
    let groups = try shardPositions(model: model, plan: plan, metadata: metadata, path: path, options: options, notes: &notes)
    guard groups.count > 1 else {
      return [try GGUFOutputFile(path: path, tensorIndices: plan.order, specs: plan.specs, metadata: metadata)]
    }
    guard groups.count <= Int(UInt16.max), model.tensors.count <= Int(Int32.max) else {
      throw .cannotStore(file: path, tensor: "", reason: "\(groups.count) shards or \(model.tensors.count) tensors do not fit the split keys")
    }
    let paths = shardPaths(output: path, count: groups.count)
    var files: [GGUFOutputFile] = []
    for (shard, positions) in groups.enumerated() {
      var keys = shard == 0 ? metadata : []
      keys.append(GGUFKeyValue(key: "split.no", value: .uint16(UInt16(shard))))
      keys.append(GGUFKeyValue(key: "split.count", value: .uint16(UInt16(groups.count))))
      keys.append(GGUFKeyValue(key: "split.tensors.count", value: .int32(Int32(model.tensors.count))))
      files.append(try GGUFOutputFile(
        path: paths[shard], tensorIndices: positions.map { plan.order[$0] }, specs: positions.map { plan.specs[$0] },
        metadata: keys))
    }
    return files
  }

  /// Positions into `plan.order` per output file.
  static func shardPositions(
    model: Model, plan: GGUFWritePlan, metadata: [GGUFKeyValue], path: String, options: WriteOptions, notes: inout [String]
  ) throws(FormatError) -> [[Int]] {
    let all = [Array(plan.order.indices)]
    if options.keepSplit {
      let shards = GGUFFormat.parsedFile(of: model)?.shardPaths ?? []
      guard shards.count > 1 else {
        notes.append("--keep-split: the input is one file, so the output is one file")
        return all
      }
      var positionsByShard = [[Int]](repeating: [], count: shards.count)
      for (position, index) in plan.order.enumerated() {
        guard let shard = shards.firstIndex(of: model.tensors[index].location.file.path) else {
          throw .cannotStore(file: path, tensor: model.tensors[index].name, reason: "its data is in none of the input's shards")
        }
        positionsByShard[shard].append(position)
      }
      return positionsByShard
    }
    guard let limit = options.splitLimit else { return all }
    let alignment = try GGUFParser.readAlignment(metadata, file: path)
    var groups: [[Int]] = [[]]
    var bytes = 0
    for (position, spec) in plan.specs.enumerated() {
      let size = spec.byteCount.flatMap { GGUFLayout.alignUp($0, to: alignment) } ?? 0
      let full: Bool
      switch limit {
      case .tensors(let count): full = groups[groups.count - 1].count >= count
      case .bytes(let maximum): full = bytes > 0 && bytes + size > maximum
      }
      if full && !groups[groups.count - 1].isEmpty {
        groups.append([])
        bytes = 0
      }
      groups[groups.count - 1].append(position)
      bytes += size
    }
    if groups.count == 1 { notes.append("the whole model fits one file within the split limit") }
    return groups
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

  /// The files a finished write to `output` produced: `output` itself, or the shards named after
  /// it (`out.gguf` → `out-00001-of-0000N.gguf` …; when earlier runs left first shards of other
  /// counts, the newest one's set).
  public static func writtenPaths(output: String) -> [String] {
    if FileManager.default.fileExists(atPath: output) { return [output] }
    let probe = GGUFOutputFile.shardPaths(output: output, count: 1)[0]  // <prefix>-00001-of-00001.gguf
    guard let name = GGUFSplitName(path: probe) else { return [] }
    let folder = (probe as NSString).deletingLastPathComponent
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
    var newest: (date: Date, count: Int)?
    for entry in entries {
      let candidate = folder.isEmpty ? entry : folder + "/" + entry
      guard let shard = GGUFSplitName(path: candidate), shard.prefix == name.prefix, shard.number == 1 else { continue }
      let date = (try? FileManager.default.attributesOfItem(atPath: candidate)[.modificationDate] as? Date) ?? .distantPast
      if newest == nil || date > (newest?.date ?? .distantPast) { newest = (date, shard.count) }
    }
    guard let count = newest?.count else { return [] }
    return keepSplitPaths(output: output, count: count)
  }

  /// The `count` shard paths `--keep-split` writes for `output`.
  public static func keepSplitPaths(output: String, count: Int) -> [String] {
    GGUFOutputFile.shardPaths(output: output, count: count)
  }
}

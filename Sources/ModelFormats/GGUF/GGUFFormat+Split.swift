import TensorCore

extension GGUFFormat {
  /// Opens every shard of a split model from its first shard (already parsed), checking that each
  /// shard exists, names itself by the right `split.no`, agrees on `split.count`, and that the
  /// tensor total matches `split.tensors.count`. Tensors come in shard order.
  static func openSplit(first: GGUFFile, keys: GGUFSplitKeys, file: MappedFile, path: String) throws(FormatError) -> Model {
    guard let name = GGUFSplitName(path: path), name.count == keys.count else {
      throw .invalid(
        file: path, what: "split file name", offset: nil,
        reason: "split.count is \(keys.count), so the name must end in -00001-of-\(GGUFSplitName.fiveDigits(keys.count)).gguf for the other shards to be found")
    }
    guard keys.index == 0, name.number == 1 else {
      throw .unsupported(
        file: path, what: "split shard \(keys.index + 1) of \(keys.count)",
        reason: "open the first shard, \(fileName(name.path(ofShard: 1)))")
    }
    guard let total = keys.tensorCount else {
      throw .invalid(file: path, what: "metadata key 'split.tensors.count'", offset: nil, reason: "missing in the first shard")
    }
    var tensors = try GGUFModelBuilder.tensors(from: first, file: file, path: path)
    var infos = first.tensors
    var names = Set(first.tensors.map(\.name))
    var fileBytes = file.count
    var shardPaths = [path]
    for number in 2...keys.count {
      let shardPath = name.path(ofShard: number)
      let mapped: MappedFile
      do { mapped = try MappedFile(path: shardPath) } catch {
        throw .invalid(
          file: path, what: "split model", offset: nil,
          reason: "shard \(number) of \(keys.count), \(fileName(shardPath)), cannot be opened (\(error.description))")
      }
      let parsed = try GGUFParser.parse(mapped.bytes, file: shardPath)
      guard let shardKeys = try GGUFSplitKeys.read(parsed, path: shardPath), shardKeys.count == keys.count else {
        throw .invalid(
          file: shardPath, what: "metadata key 'split.count'", offset: nil,
          reason: "shard of a \(keys.count)-file split must say split.count = \(keys.count), found \(parsed["split.count"]?.intValue.map(String.init) ?? "none")")
      }
      guard shardKeys.index == number - 1 else {
        throw .invalid(
          file: shardPath, what: "metadata key 'split.no'", offset: nil,
          reason: "expected \(number - 1) for shard \(number), found \(shardKeys.index)")
      }
      for info in parsed.tensors where !names.insert(info.name).inserted {
        throw .badTensor(file: shardPath, tensor: info.name, offset: info.recordOffset, reason: "also stored in an earlier shard")
      }
      tensors += try GGUFModelBuilder.tensors(from: parsed, file: mapped, path: shardPath)
      infos += parsed.tensors
      fileBytes = Checked.add(fileBytes, mapped.count) ?? Int.max
      shardPaths.append(shardPath)
    }
    guard tensors.count == total else {
      throw .invalid(
        file: path, what: "metadata key 'split.tensors.count'", offset: nil,
        reason: "says \(total) tensors, the \(keys.count) shards hold \(tensors.count)")
    }
    var context = first
    context.tensors = infos
    context.shardPaths = shardPaths
    var model = GGUFModelBuilder.model(tensors: tensors, parsed: context, fileBytes: fileBytes, path: path)
    model.notes.append("split model: \(keys.count) shards, \(total) tensors (\(fileName(name.path(ofShard: 1))) … \(fileName(name.path(ofShard: keys.count))))")
    return model
  }

  static func fileName(_ path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
  }
}

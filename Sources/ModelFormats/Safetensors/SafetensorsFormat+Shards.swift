import TensorCore

extension SafetensorsFormat {
  /// Reads a small JSON file (an index or config.json) through the bounds-checked reader.
  static func readJSONFile(_ path: String, limit: Int = maxHeaderBytes) throws(FormatError) -> JSON {
    let file: MappedFile
    do { file = try MappedFile(path: path) } catch { throw .io(error) }
    guard file.count <= limit else {
      throw .invalid(file: path, what: "JSON file", offset: nil, reason: "\(file.count) bytes is larger than the \(limit)-byte limit")
    }
    var reader = file.reader()
    do { _ = try reader.readUTF8(file.count) } catch { throw FormatError.from(error, file: path, reading: "JSON text") }
    do { return try JSON.parse(file.bytes) } catch {
      throw .invalid(file: path, what: "JSON", offset: error.offset, reason: error.reason)
    }
  }

  /// The shard file names of an index's weight_map, in order of first appearance, and the map.
  struct ShardIndex: Sendable {
    var shards: [String]
    var weightMap: [(tensor: String, shard: String)]
    var metadata: [(key: String, value: String)]
  }

  static func readIndex(_ path: String) throws(FormatError) -> ShardIndex {
    let json = try readJSONFile(path)
    guard case let .object(members)? = json["weight_map"] else {
      throw .invalid(file: path, what: "shard index", offset: nil, reason: "missing 'weight_map' object")
    }
    var shards: [String] = []
    var map: [(tensor: String, shard: String)] = []
    for member in members {
      guard let shard = member.value.stringValue else {
        throw .badTensor(file: path, tensor: member.key, offset: member.offset, reason: "weight_map value must be a file name string")
      }
      // Shards live beside the index; a path here could reach outside the model folder.
      guard !shard.isEmpty, !shard.contains("/"), shard != "..", shard != "." else {
        throw .badTensor(file: path, tensor: member.key, offset: member.offset, reason: "shard name '\(shard)' must be a plain file name")
      }
      if !shards.contains(shard) { shards.append(shard) }
      map.append((member.key, shard))
    }
    var metadata: [(key: String, value: String)] = []
    if case let .object(entries)? = json["metadata"] {
      for entry in entries {
        let text = entry.value.stringValue ?? entry.value.compactText()
        metadata.append((entry.key, text))
      }
    }
    return ShardIndex(shards: shards, weightMap: map, metadata: metadata)
  }

  /// True when `path` is a shard named by the index beside it (an unreadable index counts as no).
  static func isShard(_ path: String, listedIn indexPath: String) -> Bool {
    guard path.hasSuffix(".safetensors"), let index = try? readIndex(indexPath) else { return false }
    return index.shards.contains(fileName(of: path))
  }

  /// Opens every shard the index names (each mapped and validated), tensors in shard order.
  static func openSharded(indexPath: String, userPath: String) throws(FormatError) -> Model {
    let index = try readIndex(indexPath)
    guard !index.shards.isEmpty else {
      throw .invalid(file: indexPath, what: "shard index", offset: nil, reason: "weight_map names no shards")
    }
    let folder = folder(of: indexPath)
    var tensors: [ModelTensor] = []
    var fileBytes = 0
    var files: [String] = []
    var firstMetadata: [(key: String, value: String)]?
    var owner: [String: String] = [:]
    for shard in index.shards {
      let path = folder + "/" + shard
      let file: MappedFile
      do { file = try MappedFile(path: path) } catch { throw .io(error) }
      let (shardTensors, header) = try readTensors(file, path: path)
      for tensor in shardTensors {
        if let other = owner[tensor.name] {
          throw .badTensor(file: path, tensor: tensor.name, offset: nil, reason: "also stored in shard \(other)")
        }
        owner[tensor.name] = shard
      }
      tensors += shardTensors
      fileBytes = Checked.add(fileBytes, file.count) ?? Int.max
      files.append(path)
      if firstMetadata == nil { firstMetadata = header.metadata }
    }
    for entry in index.weightMap where owner[entry.tensor] != entry.shard {
      let reason = owner[entry.tensor].map { "weight_map says \(entry.shard) but it is stored in \($0)" }
        ?? "listed in weight_map for \(entry.shard) but not found there"
      throw .badTensor(file: indexPath, tensor: entry.tensor, offset: nil, reason: reason)
    }
    let layers = Naming.group(&tensors)
    let metadata = firstMetadata ?? []
    let context = Context(metadata: metadata, folder: folder, files: files, indexPath: indexPath)
    var entries = metadata.map { MetadataEntry(key: $0.key, value: $0.value) }
    entries += index.metadata.map { MetadataEntry(key: "index.\($0.key)", value: $0.value) }
    return Model(
      format: .safetensors, path: userPath, fileBytes: fileBytes, tensors: tensors, layers: layers,
      metadata: entries, notes: ["sharded: \(index.shards.count) files listed in \(fileName(of: indexPath))"] + notes(for: tensors),
      formatContext: context)
  }
}

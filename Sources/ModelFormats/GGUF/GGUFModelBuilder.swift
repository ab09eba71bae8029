import TensorCore

/// Turns a parsed GGUF file into the format-neutral ``Model``.
enum GGUFModelBuilder {
  static func model(from parsed: GGUFFile, file: MappedFile, path: String) throws(FormatError) -> Model {
    let tensors = try tensors(from: parsed, file: file, path: path)
    return model(tensors: tensors, parsed: parsed, fileBytes: file.count, path: path)
  }

  /// The model of already-built tensors (one file's, or every shard's of a split model).
  static func model(tensors: [ModelTensor], parsed: GGUFFile, fileBytes: Int, path: String) -> Model {
    Model(
      format: .gguf, path: path, fileBytes: fileBytes, tensors: tensors, layers: layers(of: tensors),
      metadata: parsed.metadata.map { MetadataEntry(key: $0.key, value: GGUFMetadataText.render($0.value)) },
      notes: [GGUFMetadataText.summary(of: parsed)], formatContext: parsed)
  }

  /// One file's tensors, each mapped from `file` at the data section plus its relative offset.
  static func tensors(from parsed: GGUFFile, file: MappedFile, path: String) throws(FormatError) -> [ModelTensor] {
    var tensors: [ModelTensor] = []
    tensors.reserveCapacity(parsed.tensors.count)
    for info in parsed.tensors {
      // Placement was checked by the parser; this only guards the invariant.
      guard let offset = Checked.add(parsed.dataOffset, info.relativeOffset) else {
        throw .badTensor(file: path, tensor: info.name, offset: info.recordOffset, reason: "data offset overflows")
      }
      let location: TensorLocation
      do { location = try TensorLocation(file: file, offset: offset, byteCount: info.byteCount) } catch {
        throw FormatError.from(error, file: path, reading: "data of tensor '\(info.name)'")
      }
      let dims = GGUFTensorNaming.effectiveDims(ne: info.ne)
      let numericType = info.type.isFloatingPoint || info.type.isBlockQuantized
      tensors.append(
        ModelTensor(
          name: info.name, shape: info.shape, dtype: info.type, location: location,
          layer: GGUFTensorNaming.layer(info.name), op: GGUFTensorNaming.op(info.name),
          role: GGUFTensorNaming.role(info.name),
          isQuantizable: numericType && GGUFTensorNaming.allowsQuantization(name: info.name, dims: dims),
          channelAxis: 0))
    }
    return tensors
  }

  /// Groups by `blk.N` (numeric order); tensors before the first block (embeddings) come first,
  /// the rest (output norm, output) last.
  static func layers(of tensors: [ModelTensor]) -> [ModelLayer] {
    var order: [String] = []
    var members: [String: [Int]] = [:]
    for (index, tensor) in tensors.enumerated() {
      let name = tensor.layer ?? tensor.name
      if members[name] == nil { order.append(name) }
      members[name, default: []].append(index)
    }
    let firstBlockTensor = tensors.firstIndex { GGUFTensorNaming.blockIndex($0.name) != nil } ?? tensors.count
    func rank(_ name: String) -> (Int, Int) {
      if name.hasPrefix("blk."), let n = Int(name.dropFirst(4)) { return (1, n) }
      let first = members[name]?.first ?? 0
      return (first < firstBlockTensor ? 0 : 2, first)
    }
    let sorted = order.sorted { rank($0) < rank($1) }
    return sorted.map { name in
      let indices = members[name] ?? []
      let isBlock = name.hasPrefix("blk.")
      let params = indices.reduce(0) { $0 &+ tensors[$1].elementCount }
      var details = ["\(indices.count) tensor\(indices.count == 1 ? "" : "s")", "\(params) parameters"]
      if isBlock {
        let ops = indices.compactMap { tensors[$0].op }
        if ops.contains(where: { $0.hasPrefix("attn") }) { details.append("attention") }
        if ops.contains(where: { $0.hasPrefix("ffn") }) { details.append("feed-forward") }
      }
      return ModelLayer(name: name, kind: isBlock ? "block" : tensors[indices.first ?? 0].op, tensorIndices: indices, details: details)
    }
  }
}

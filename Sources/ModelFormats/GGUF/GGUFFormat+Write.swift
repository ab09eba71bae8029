import TensorCore

extension GGUFFormat {
  /// Writes with `general.file_type` taken from the dominant output type.
  public static func write(
    _ model: Model, requests: [TensorWriteRequest], provider: QuantizedDataProvider, to path: String,
    options: WriteOptions
  ) throws(FormatError) -> [String] {
    var extra: [GGUFKeyValue] = []
    if let imatrixPath = options.importanceMatrixPath {
      extra = try ImportanceMatrix.load(path: imatrixPath).outputMetadata(path: imatrixPath)
    }
    return try write(
      model, requests: requests, provider: provider, to: path, options: options,
      fileType: options.presetName.flatMap { LlamaFileType(preset: $0) }, extraMetadata: extra)
  }

  /// Writes `model` as GGUF v3, streaming one tensor at a time.
  ///
  /// Every metadata key of a GGUF source is kept (split keys removed: the output is one file,
  /// unless `options.keepSplit` asks for the source's shards, see ``GGUFOutputFile``);
  /// `general.file_type` is `fileType` (the preset) or the dominant output type's ftype, and
  /// `general.quantization_version` is 2. The temporary file is parsed back before it replaces
  /// `path`. At most one tensor's re-encoded bytes are in memory at a time; copied tensors stream
  /// from the mapping in 1 MiB chunks.
  /// - Parameters:
  ///   - fileType: the llama-quantize preset that chose the types, if any.
  ///   - extraMetadata: keys to add or replace (e.g. `quantize.imatrix.file`).
  public static func write(
    _ model: Model, requests: [TensorWriteRequest], provider: QuantizedDataProvider, to path: String,
    options: WriteOptions, fileType: LlamaFileType?, extraMetadata: [GGUFKeyValue] = []
  ) throws(FormatError) -> [String] {
    var notes: [String] = []
    let plan = try GGUFWritePlan(model: model, requests: requests, path: path)
    let metadata = outputMetadata(model: model, plan: plan, fileType: fileType, extra: extraMetadata, notes: &notes)
    let files = try GGUFOutputFile.layout(model: model, plan: plan, metadata: metadata, path: path, options: options, notes: &notes)

    // Every shard of a split source is an input the output must not replace.
    let inputs = [model.path] + (parsedFile(of: model)?.shardPaths.dropFirst() ?? [])
    var completed = 0
    try AtomicFileWriter.writeVerified(
      to: files.map(\.path), inputs: inputs, overwrite: options.overwrite,
      injectedFailureAfterBytes: options.injectedFailureAfterBytes,
      wrap: { FormatError.io($0) },
      write: { (fileIndex, writer) throws(FormatError) in
        let file = files[fileIndex]
        try write(file.header.bytes, to: writer)
        for (position, index) in file.tensorIndices.enumerated() {
          if options.cancellation?.isCancelled == true {
            throw FormatError.io(.cannotWrite(path: file.path, reason: "cancelled"))
          }
          let tensor = model.tensors[index]
          options.progress?(ProgressUpdate(completed: completed, total: plan.order.count, item: tensor.name))
          let written = try writeData(
            of: tensor, encoding: plan.encodings[index], spec: file.specs[position], provider: provider, to: writer, path: file.path)
          let padding = (GGUFLayout.alignUp(written, to: file.alignment) ?? written) - written
          if padding > 0 { try write([UInt8](repeating: 0, count: padding), to: writer) }
          completed += 1
        }
        if fileIndex == files.count - 1 {
          options.progress?(ProgressUpdate(completed: plan.order.count, total: plan.order.count, item: "verifying"))
        }
      },
      verify: { (fileIndex, temporary) throws(FormatError) in
        try verify(temporary: temporary, file: files[fileIndex], model: model, plan: plan)
      })
    notes.append(contentsOf: plan.notes)
    return notes
  }

  static func write(_ bytes: [UInt8], to writer: AtomicFileWriter) throws(FormatError) {
    do { try writer.write(bytes) } catch { throw .io(error) }
  }

  /// Streams one tensor's bytes; returns how many were written.
  static func writeData(
    of tensor: ModelTensor, encoding: QuantEncoding?, spec: GGUFTensorSpec, provider: QuantizedDataProvider,
    to writer: AtomicFileWriter, path: String
  ) throws(FormatError) -> Int {
    let expected = spec.byteCount ?? -1
    guard let encoding else {
      let source = tensor.location
      guard source.byteCount == expected else {
        throw FormatError.cannotStore(file: path, tensor: tensor.name, reason: "source holds \(source.byteCount) bytes, expected \(expected)")
      }
      let chunk = 1 << 20
      var done = 0
      while done < source.byteCount {
        let count = min(chunk, source.byteCount - done)
        do { try writer.write(UnsafeRawBufferPointer(rebasing: source.bytes[done..<(done + count)])) } catch { throw .io(error) }
        source.file.releasePages(offset: source.offset + done, count: count)
        done += count
      }
      return done
    }
    let data = try ProvidedData.quantize(tensor, encoding: encoding, provider: provider, path: path)
    guard data.values.count == expected else {
      throw FormatError.cannotStore(
        file: path, tensor: tensor.name,
        reason: "the quantizer produced \(data.values.count) bytes for \(spec.type.rawValue), expected \(expected)")
    }
    try write(data.values, to: writer)
    return data.values.count
  }

  static func outputMetadata(
    model: Model, plan: GGUFWritePlan, fileType: LlamaFileType?, extra: [GGUFKeyValue], notes: inout [String]
  ) -> [GGUFKeyValue] {
    let dropped: Set<String> = ["split.no", "split.count", "split.tensors.count", "general.file_type", "general.quantization_version"]
    var metadata = (parsedFile(of: model)?.metadata ?? []).filter { !dropped.contains($0.key) }
    if parsedFile(of: model) == nil {
      notes.append("source is \(model.format.rawValue): GGUF metadata (architecture, tokenizer) is not available, so llama.cpp will not load this file as a model")
    }
    let ftype = fileType ?? plan.dominantFileType
    if let ftype { metadata.append(GGUFKeyValue(key: "general.file_type", value: .uint32(UInt32(ftype.rawValue)))) }
    metadata.append(GGUFKeyValue(key: "general.quantization_version", value: .uint32(2)))
    for entry in extra {
      if let at = metadata.firstIndex(where: { $0.key == entry.key }) { metadata[at] = entry } else { metadata.append(entry) }
    }
    return metadata
  }

  /// Parses the temporary file back and checks it describes what we meant to write.
  static func verify(temporary: String, file: GGUFOutputFile, model: Model, plan: GGUFWritePlan) throws(FormatError) {
    let destination = file.path
    let mapped: MappedFile
    do { mapped = try MappedFile(path: temporary) } catch { throw .io(error) }
    let parsed: GGUFFile
    do { parsed = try GGUFParser.parse(mapped.bytes, file: temporary) } catch {
      throw .io(.verificationFailed(path: destination, reason: error.description))
    }
    let written = parsed.tensors.map { GGUFTensorSpec(name: $0.name, ne: $0.ne, type: $0.type) }
    guard written == file.specs, parsed.metadata.count == file.metadata.count else {
      throw .io(.verificationFailed(path: destination, reason: "tensor infos or metadata differ from what was written"))
    }
    // Tensors copied unchanged must read back byte for byte; pages are released as we go so a
    // large model is checked with bounded memory.
    for (position, index) in file.tensorIndices.enumerated() where plan.encodings[index] == nil {
      let info = parsed.tensors[position]
      let source = model.tensors[index].location
      guard let start = Checked.add(parsed.dataOffset, info.relativeOffset),
        let written = try? mapped.slice(offset: start, count: info.byteCount),
        SafetensorsFormat.sameBytes(written, source.bytes)
      else {
        throw .io(.verificationFailed(path: destination, reason: "tensor '\(info.name)' differs from the input"))
      }
      mapped.releasePages(offset: start, count: info.byteCount)
      source.file.releasePages(offset: source.offset, count: source.byteCount)
    }
  }
}

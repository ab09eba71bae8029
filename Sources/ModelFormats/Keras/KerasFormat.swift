import TensorCore

/// Keras models: Keras 3 `.keras` archives, Keras 3 weights-only `.weights.h5`, and legacy `.h5`
/// files (Keras 2 / tf.keras and Keras 3's legacy writer).
public enum KerasFormat: ModelFormat {
  public static let kind = ModelFormatKind.keras
  public static let fileExtensions = ["keras", "h5", "hdf5"]

  static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

  /// A zip named `.keras`, or any file with the HDF5 signature.
  public static func probe(head: UnsafeRawBufferPointer, path: String) -> Bool {
    guard head.count >= 8 else { return false }
    if head.prefix(8).elementsEqual(hdf5Signature) { return true }
    let isZip = head[0] == 0x50 && head[1] == 0x4B && head[2] == 0x03 && head[3] == 0x04
    return isZip && path.lowercased().hasSuffix(".keras")
  }

  public static func open(path: String) throws(FormatError) -> Model {
    try HDF5Isolation.check(path)
    let file: MappedFile
    do { file = try MappedFile(path: path) } catch { throw .io(error) }
    if file.count >= 8, file.bytes.prefix(8).elementsEqual(hdf5Signature) {
      return try openHDF5(path: path, file: file)
    }
    if path.lowercased().hasSuffix(".h5") || path.lowercased().hasSuffix(".hdf5") {
      throw .invalid(file: path, what: "HDF5 file", offset: 0, reason: "no HDF5 signature; the file is not HDF5 or is corrupt")
    }
    return try openArchive(path: path)
  }

  static func openArchive(path: String) throws(FormatError) -> Model {
    let archive = try KerasArchive.open(path: path)
    let config = try KerasModelConfig.parse(archive.configBytes, file: path, source: "config.json")
    let image = UnsafeRawBufferPointer(rebasing: archive.weightsFile.bytes[archive.weightsOffset..<(archive.weightsOffset + archive.weightsCount)])
    let weights: HDF5File
    do { weights = try HDF5File.openInPlace(image, owner: archive.weightsFile) } catch {
      throw .invalid(file: path, what: "member 'model.weights.h5'", offset: archive.weightsOffset, reason: error.reason)
    }
    let root = try rootGroup(weights, path: path)
    let factory = KerasTensorFactory(weightsFile: archive.weightsFile, imageOffset: archive.weightsOffset, path: path)
    var reader = KerasWeightsReader(root: root, factory: factory, path: path)
    try reader.read(config.layers)
    if config.layers.isEmpty {
      reader.notes.append("config.json has no layer list (\(config.className)); weights are listed by their groups")
      try reader.readUnclaimed()
    }
    var metadata = [MetadataEntry(key: "model", value: "\(config.name) (\(config.className))")]
    metadata += archiveMetadata(archive)
    metadata.append(MetadataEntry(key: "weights", value: archive.weightsFile === archive.file ? "stored in the archive, read in place" : "deflated in the archive, inflated into memory"))
    if root.kind(of: "optimizer") == .group { reader.notes.append("optimizer state is present; it is kept unchanged and not listed") }
    let context = KerasContext(kind: .archive, archive: archive, config: config, layers: config.layers,
                               layerGroups: reader.layerGroups, refs: reader.refs, weights: weights)
    return Model(format: .keras, path: path, fileBytes: archive.file.count, tensors: reader.tensors, layers: reader.layers,
                 metadata: metadata, notes: reader.notes, formatContext: context)
  }

  static func archiveMetadata(_ archive: KerasArchive) -> [MetadataEntry] {
    guard let bytes = archive.metadataBytes, let json = try? KerasJSON.parse(bytes) else { return [] }
    var out: [MetadataEntry] = []
    if let version = json["keras_version"]?.stringValue { out.append(MetadataEntry(key: "keras_version", value: version)) }
    if let date = json["date_saved"]?.stringValue { out.append(MetadataEntry(key: "date_saved", value: date)) }
    return out
  }

  static func rootGroup(_ file: HDF5File, path: String) throws(FormatError) -> HDF5Group {
    do { return try file.root() } catch { throw .invalid(file: path, what: "HDF5 root group", offset: nil, reason: error.reason) }
  }

  static func openHDF5(path: String, file: MappedFile) throws(FormatError) -> Model {
    let weights: HDF5File
    do { weights = try HDF5File.openInPlace(file.bytes, owner: file) } catch {
      throw .invalid(file: path, what: "HDF5 file", offset: 0, reason: error.reason)
    }
    let root = try rootGroup(weights, path: path)
    let factory = KerasTensorFactory(weightsFile: file, imageOffset: 0, path: path)
    var metadata: [MetadataEntry] = []
    for key in ["keras_version", "backend"] {
      if let value = (try? root.stringAttribute(key)) ?? nil { metadata.append(MetadataEntry(key: key, value: value)) }
    }
    if let text = (try? root.stringAttribute("model_config")) ?? nil {
      let config = try KerasModelConfig.parse(Array(text.utf8), file: path, source: "model_config attribute")
      var reader = KerasLegacyReader(root: root, factory: factory, path: path)
      try reader.read(weightsGroup: "model_weights", specs: config.layers)
      metadata.insert(MetadataEntry(key: "model", value: "\(config.name) (\(config.className))"), at: 0)
      metadata.append(MetadataEntry(key: "layout", value: "legacy HDF5 (model_config + /model_weights)"))
      let context = KerasContext(kind: .legacy, archive: nil, config: config, layers: config.layers, layerGroups: [],
                                 refs: reader.refs, weights: weights)
      return Model(format: .keras, path: path, fileBytes: file.count, tensors: reader.tensors, layers: reader.layers,
                   metadata: metadata, notes: reader.notes, formatContext: context)
    }
    let weightsOnlyNote = "weights only: this file has no architecture (no model_config / config.json); layer classes are guessed from group names"
    if root.hasAttribute("layer_names") {
      var reader = KerasLegacyReader(root: root, factory: factory, path: path)
      try reader.read(weightsGroup: "", specs: [])
      metadata.append(MetadataEntry(key: "layout", value: "legacy HDF5 weights (save_weights)"))
      let context = KerasContext(kind: .legacyWeightsOnly, archive: nil, config: nil, layers: [], layerGroups: [],
                                 refs: reader.refs, weights: weights)
      return Model(format: .keras, path: path, fileBytes: file.count, tensors: reader.tensors, layers: reader.layers,
                   metadata: metadata, notes: [weightsOnlyNote] + reader.notes, formatContext: context)
    }
    guard root.kind(of: "layers") == .group || root.kind(of: "vars") == .group else {
      throw .invalid(file: path, what: "HDF5 file", offset: nil,
                     reason: "no Keras model data (no 'model_config' attribute, no 'layer_names', no 'layers' group)")
    }
    var reader = KerasWeightsReader(root: root, factory: factory, path: path)
    try reader.readUnclaimed()
    metadata.append(MetadataEntry(key: "layout", value: "Keras 3 weights file (.weights.h5)"))
    let context = KerasContext(kind: .weightsOnly, archive: nil, config: nil, layers: [], layerGroups: [],
                               refs: reader.refs, weights: weights)
    return Model(format: .keras, path: path, fileBytes: file.count, tensors: reader.tensors, layers: reader.layers,
                 metadata: metadata, notes: [weightsOnlyNote] + reader.notes, formatContext: context)
  }
}

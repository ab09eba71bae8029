import TensorCore

/// Hugging Face safetensors: an 8-byte header length, a JSON header, then raw little-endian tensors.
///
/// Reads single files and sharded checkpoints (`model.safetensors.index.json`), validating each file
/// as strictly as the reference implementation. Writes plain float casts, and int8/int4 weights in
/// the compressed-tensors `pack-quantized` layout that vLLM and transformers load.
public enum SafetensorsFormat: ModelFormat {
  public static let kind = ModelFormatKind.safetensors
  public static let fileExtensions = ["safetensors"]
  /// The index file of a sharded checkpoint (Hugging Face convention).
  public static let indexFileName = "model.safetensors.index.json"

  /// What the writer needs to rewrite a file it opened.
  struct Context: Sendable {
    /// `__metadata__` of the (first) file, in order.
    var metadata: [(key: String, value: String)]
    /// The folder holding the model, where config.json is looked for.
    var folder: String
    /// Every file the tensors come from (one, or each shard).
    var files: [String]
    /// The index file, for sharded models.
    var indexPath: String?
  }

  public static func probe(head: UnsafeRawBufferPointer, path: String) -> Bool {
    if path.hasSuffix(".safetensors.index.json") { return true }
    var reader = ByteReader(head)
    guard let length = try? reader.read(UInt64.self), length >= 2, length <= UInt64(maxHeaderBytes) else { return false }
    // The JSON may begin with whitespace (the reference reader accepts it), then must open an object.
    while let byte = try? reader.read(UInt8.self) {
      if byte == UInt8(ascii: "{") { return true }
      if byte != 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09 { return false }
    }
    return false
  }

  public static func open(path: String) throws(FormatError) -> Model {
    if path.hasSuffix(".index.json") { return try openSharded(indexPath: path, userPath: path) }
    let folder = folder(of: path)
    let index = folder + "/" + indexFileName
    if isShard(path, listedIn: index) { return try openSharded(indexPath: index, userPath: path) }
    return try openSingle(path: path)
  }

  /// Opens one .safetensors file.
  static func openSingle(path: String) throws(FormatError) -> Model {
    let file: MappedFile
    do { file = try MappedFile(path: path) } catch { throw .io(error) }
    let (tensors, header) = try readTensors(file, path: path)
    var all = tensors
    let layers = Naming.group(&all)
    let context = Context(metadata: header.metadata, folder: folder(of: path), files: [path], indexPath: nil)
    return Model(
      format: .safetensors, path: path, fileBytes: file.count, tensors: all, layers: layers,
      metadata: header.metadata.map { MetadataEntry(key: $0.key, value: $0.value) },
      notes: notes(for: all), formatContext: context)
  }

  /// Validates one file and builds its tensors, in header order.
  static func readTensors(_ file: MappedFile, path: String) throws(FormatError) -> ([ModelTensor], Header) {
    let header = try Header.read(file, path: path)
    var tensors: [ModelTensor] = []
    tensors.reserveCapacity(header.entries.count)
    for entry in header.entries {
      let location: TensorLocation
      do {
        location = try TensorLocation(file: file, offset: header.dataStart + entry.begin, byteCount: entry.end - entry.begin)
      } catch {
        throw FormatError.from(error, file: path, reading: "data of tensor '\(entry.name)'")
      }
      tensors.append(Naming.tensor(entry, location: location))
    }
    return (tensors, header)
  }

  static func notes(for tensors: [ModelTensor]) -> [String] {
    var notes: [String] = ["weights only: safetensors stores no architecture; layers and ops are guessed from names"]
    let undecoded = Set(tensors.filter { !$0.dtype.isPlainDecodable }.map(\.dtype.rawValue)).sorted()
    if !undecoded.isEmpty {
      notes.append("\(undecoded.joined(separator: ", ")) tensors are listed but not decoded")
    }
    if tensors.contains(where: { $0.name.hasSuffix(".weight_packed") }) {
      notes.append("contains compressed-tensors packed weights (shown as stored I32 words)")
    }
    return notes
  }

  static func folder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let folder = String(path[..<slash])
    return folder.isEmpty ? "/" : folder
  }

  static func fileName(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
  }
}

import TensorCore

/// Every format QuantScope knows, in probe order, and the front door for opening a file.
public enum FormatRegistry {
  /// All registered formats. A format joins the tool by being listed here.
  public static let formats: [any ModelFormat.Type] = [
    SafetensorsFormat.self,
    GGUFFormat.self,
    TFLiteFormat.self,
    KerasFormat.self,
  ]

  /// The format for a kind.
  public static func format(for kind: ModelFormatKind) -> (any ModelFormat.Type)? {
    formats.first { $0.kind == kind }
  }

  /// Finds the format by magic bytes first, then by extension.
  public static func detect(path: String) throws(FormatError) -> any ModelFormat.Type {
    let file: MappedFile
    do { file = try MappedFile(path: path) } catch { throw .io(error) }
    let head = UnsafeRawBufferPointer(rebasing: file.bytes[0..<min(file.count, 4096)])
    if let match = formats.first(where: { $0.probe(head: head, path: path) }) { return match }
    let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
    if let match = formats.first(where: { $0.fileExtensions.contains(ext) }) { return match }
    throw .unrecognized(file: path)
  }

  /// Opens any supported model file.
  public static func open(path: String) throws(FormatError) -> Model {
    try detect(path: path).open(path: path)
  }
}

/// Renders GGUF metadata values as one line of text for display.
public enum GGUFMetadataText {
  /// Strings longer than this (chat templates) are cut with an ellipsis.
  static let maxStringLength = 160
  /// Arrays up to this length are shown in full.
  static let maxInlineArray = 8

  public static func render(_ value: GGUFValue) -> String {
    switch value {
    case let .uint8(v): return String(v)
    case let .int8(v): return String(v)
    case let .uint16(v): return String(v)
    case let .int16(v): return String(v)
    case let .uint32(v): return String(v)
    case let .int32(v): return String(v)
    case let .uint64(v): return String(v)
    case let .int64(v): return String(v)
    case let .float32(v): return String(v)
    case let .float64(v): return String(v)
    case let .bool(v): return v ? "true" : "false"
    case let .string(s): return shorten(s)
    case let .array(array): return render(array)
    }
  }

  public static func render(_ array: GGUFArray) -> String {
    if case let .string(values) = array {
      if values.count <= 3 { return "[" + values.map { "\"" + shorten($0) + "\"" }.joined(separator: ", ") + "]" }
      return "[\(values.count) strings]"
    }
    guard array.count <= maxInlineArray else { return "[\(array.count) \(array.elementType.name)]" }
    let items: [String]
    switch array {
    case let .uint8(a): items = a.map { String($0) }
    case let .int8(a): items = a.map { String($0) }
    case let .uint16(a): items = a.map { String($0) }
    case let .int16(a): items = a.map { String($0) }
    case let .uint32(a): items = a.map { String($0) }
    case let .int32(a): items = a.map { String($0) }
    case let .uint64(a): items = a.map { String($0) }
    case let .int64(a): items = a.map { String($0) }
    case let .float32(a): items = a.map { String($0) }
    case let .float64(a): items = a.map { String($0) }
    case let .bool(a): items = a.map { $0 ? "true" : "false" }
    case .string: items = []
    }
    return "[" + items.joined(separator: ", ") + "]"
  }

  static func shorten(_ text: String) -> String {
    let oneLine = text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n")
    guard oneLine.count > maxStringLength else { return oneLine }
    return String(oneLine.prefix(maxStringLength)) + "… (\(text.utf8.count) bytes)"
  }

  /// One line: "GGUF v3 · llama · 32 blocks · context 8192 · tokenizer gpt2 (128256 tokens)".
  public static func summary(of file: GGUFFile) -> String {
    var parts = ["GGUF v\(file.version)"]
    if let arch = file.architecture { parts.append(arch) }
    if let type = file["general.type"]?.stringValue, type != "model" { parts.append(type) }
    if let blocks = file.archInt("block_count") { parts.append("\(blocks) blocks") }
    if let context = file.archInt("context_length") { parts.append("context \(context)") }
    if let width = file.archInt("embedding_length") { parts.append("width \(width)") }
    if let tokenizer = file["tokenizer.ggml.model"]?.stringValue {
      var text = "tokenizer \(tokenizer)"
      if case let .array(tokens)? = file["tokenizer.ggml.tokens"] { text += " (\(tokens.count) tokens)" }
      parts.append(text)
    }
    if let fileType = file["general.file_type"]?.intValue, let name = LlamaFileType(rawValue: fileType)?.name {
      parts.append("file type \(name)")
    }
    return parts.joined(separator: " · ")
  }
}

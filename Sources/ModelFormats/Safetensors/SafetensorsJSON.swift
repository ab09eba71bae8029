import TensorCore

extension SafetensorsFormat {
  /// A JSON value that keeps object members in file order, with where each key began.
  ///
  /// We parse the header ourselves rather than with JSONSerialization because layer order follows
  /// the order of first appearance in the header text, duplicate names must be seen (a dictionary
  /// would silently keep one), and integers must be exact (no trip through Double).
  indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written, so integers of any size stay exact and rewriting keeps it.
    case number(String)
    case string(String)
    case array([JSON])
    case object([Member])

    /// One object member; `offset` is the position of the key's opening quote in the parsed text.
    struct Member: Sendable, Equatable {
      var key: String
      var value: JSON
      var offset: Int
    }

    /// The value of the first member named `key`, for objects.
    subscript(key: String) -> JSON? {
      guard case let .object(members) = self else { return nil }
      return members.first { $0.key == key }?.value
    }

    /// The value as a non-negative integer, when it is written as one and fits `Int`.
    var nonNegativeInt: Int? {
      guard case let .number(text) = self, let first = text.utf8.first, first != UInt8(ascii: "-"),
        text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
      else { return nil }
      return Int(text)
    }

    var stringValue: String? {
      if case let .string(value) = self { return value }
      return nil
    }

    /// A short name of the value's type, for error messages.
    var typeName: String {
      switch self {
      case .null: return "null"
      case .bool: return "boolean"
      case .number: return "number"
      case .string: return "string"
      case .array: return "array"
      case .object: return "object"
      }
    }
  }

  /// Why JSON text could not be parsed; `offset` is relative to the start of the text.
  struct JSONSyntaxError: Error, Equatable, Sendable {
    var offset: Int
    var reason: String
  }
}

extension SafetensorsFormat.JSON {
  /// Serializes compactly (no whitespace), members in stored order.
  func compactText() -> String {
    var out = ""
    write(into: &out, indent: nil, level: 0)
    return out
  }

  /// Serializes with two-space indentation, the way config.json files are usually written.
  func prettyText() -> String {
    var out = ""
    write(into: &out, indent: "  ", level: 0)
    return out + "\n"
  }

  private func write(into out: inout String, indent: String?, level: Int) {
    switch self {
    case .null: out += "null"
    case let .bool(value): out += value ? "true" : "false"
    case let .number(text): out += text
    case let .string(value): Self.writeString(value, into: &out)
    case let .array(items):
      guard !items.isEmpty else { out += "[]"; return }
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        Self.newline(&out, indent, level + 1)
        item.write(into: &out, indent: indent, level: level + 1)
      }
      Self.newline(&out, indent, level)
      out += "]"
    case let .object(members):
      guard !members.isEmpty else { out += "{}"; return }
      out += "{"
      for (i, member) in members.enumerated() {
        if i > 0 { out += "," }
        Self.newline(&out, indent, level + 1)
        Self.writeString(member.key, into: &out)
        out += indent == nil ? ":" : ": "
        member.value.write(into: &out, indent: indent, level: level + 1)
      }
      Self.newline(&out, indent, level)
      out += "}"
    }
  }

  private static func newline(_ out: inout String, _ indent: String?, _ level: Int) {
    guard let indent else { return }
    out += "\n" + String(repeating: indent, count: level)
  }

  static func writeString(_ value: String, into out: inout String) {
    out += JSONQuoting.quoted(value)
  }

  /// Builds an object from string pairs, in order.
  static func stringObject(_ pairs: [(String, String)]) -> Self {
    .object(pairs.map { Member(key: $0.0, value: .string($0.1), offset: 0) })
  }

  static func fields(_ pairs: [(String, Self)]) -> Self {
    .object(pairs.map { Member(key: $0.0, value: $0.1, offset: 0) })
  }

  static func int(_ value: Int) -> Self { .number(String(value)) }
}

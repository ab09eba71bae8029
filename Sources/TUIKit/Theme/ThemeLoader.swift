/// A problem found while loading a theme; loading never fails, it warns and falls back.
public struct ThemeWarning: Hashable, Sendable, CustomStringConvertible {
  /// The file (or theme name) the warning is about.
  public var source: String
  /// The 1-based line, when the warning is about one line.
  public var line: Int?
  public var message: String

  public init(source: String, line: Int? = nil, message: String) {
    self.source = source
    self.line = line
    self.message = message
  }

  public var description: String {
    if let line { return "\(source):\(line): \(message)" }
    return "\(source): \(message)"
  }
}

/// Parses theme files: one `role = value` per line.
///
/// `#` starts a comment at the beginning of a line or after the value; values may be quoted
/// (`"#1E1E2E"`), which is needed only when a trailing comment follows an unquoted `#RRGGBB`
/// with no space. A value is `#RRGGBB`, `#RGB`, `0`–`255`, an ANSI name or `default`.
/// The file is patched over `base`: roles it does not set keep the base's colors.
public enum ThemeLoader {
  /// Keys that describe the file rather than a color; accepted without a warning.
  public static let metadataKeys: Set<String> = ["name", "description", "author"]

  /// Parses `text` over `base`.
  ///
  /// - Parameters:
  ///   - text: The file's contents.
  ///   - name: The theme's name.
  ///   - source: How warnings name the file.
  ///   - base: The theme whose colors apply where the file sets none.
  ///   - knownRoles: The roles that are accepted; others give an "unknown key" warning.
  /// - Returns: The patched theme and the warnings, in line order.
  public static func parse(
    _ text: String, name: String, source: String, base: Theme = .builtinDefault,
    knownRoles: Set<ThemeRole> = Set(ThemeRole.all)
  ) -> (theme: Theme, warnings: [ThemeWarning]) {
    var theme = Theme(name: name, colors: base.colors)
    var warnings: [ThemeWarning] = []
    var lineNumber = 0
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      let line = String(rawLine).trimmingWhitespace()
      if line.isEmpty || line.hasPrefix("#") { continue }
      func warn(_ message: String) {
        warnings.append(ThemeWarning(source: source, line: lineNumber, message: message))
      }
      guard let equals = line.firstIndex(of: "=") else {
        warn("expected 'role = value', found '\(line)'")
        continue
      }
      let key = unquote(String(line[..<equals]).trimmingWhitespace()).lowercased()
      guard let value = splitValue(String(line[line.index(after: equals)...]).trimmingWhitespace()) else {
        warn("unexpected text after the value of '\(key)'")
        continue
      }
      if metadataKeys.contains(key) { continue }
      let role = ThemeRole(rawValue: key)
      guard knownRoles.contains(role) else {
        warn("unknown key '\(key)' (ignored)")
        continue
      }
      guard let color = Color(themeValue: value) else {
        warn("bad color '\(value)' for '\(key)': expected #RRGGBB, 0-255, an ANSI color name or default (keeping \(theme[role].themeValue))")
        continue
      }
      theme.colors[role] = color
    }
    return (theme, warnings)
  }

  private static func unquote(_ text: String) -> String {
    guard text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first else { return text }
    return String(text.dropFirst().dropLast())
  }

  // The value and whatever follows it: a quoted string, or a run of non-space characters,
  // optionally followed by a `#` comment. Returns nil when something else follows.
  private static func splitValue(_ text: String) -> String? {
    guard let first = text.first else { return "" }
    var value: String
    var rest: Substring
    if first == "\"" || first == "'" {
      let body = text.dropFirst()
      guard let close = body.firstIndex(of: first) else { return nil }
      value = String(body[..<close])
      rest = body[body.index(after: close)...]
    } else {
      let end = text.firstIndex(where: \.isWhitespace) ?? text.endIndex
      value = String(text[..<end])
      rest = text[end...]
    }
    let remainder = String(rest).trimmingWhitespace()
    guard remainder.isEmpty || remainder.hasPrefix("#") else { return nil }
    value = value.trimmingWhitespace()
    return value
  }
}

extension Color {
  /// Parses a theme value: `#RRGGBB` (or `#RGB`), a palette index `0`–`255`, an ANSI name
  /// (`red`, `brightblue`, `bright_blue`, `bright-blue`, `grey`/`gray` for bright black),
  /// or `default`. Case and surrounding quotes or spaces are ignored.
  ///
  /// - Returns: The color, or `nil` when the value is not one of those forms.
  public init?(themeValue raw: String) {
    var text = raw.trimmingWhitespace().lowercased()
    if text.count >= 2, let first = text.first, let last = text.last,
      (first == "\"" && last == "\"") || (first == "'" && last == "'")
    {
      text = String(text.dropFirst().dropLast()).trimmingWhitespace()
    }
    if text == "default" || text == "none" || text == "reset" {
      self = .default
      return
    }
    if text.hasPrefix("#") {
      guard let parsed = Color.parseHex(String(text.dropFirst())) else { return nil }
      self = parsed
      return
    }
    if let number = Int(text) {
      guard (0...255).contains(number) else { return nil }
      self = .indexed(UInt8(number))
      return
    }
    var name = text.replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "-", with: "")
    if name == "grey" || name == "gray" { name = "brightblack" }
    var bright = false
    if name.hasPrefix("bright") {
      bright = true
      name = String(name.dropFirst("bright".count))
    } else if name.hasPrefix("light") {
      bright = true
      name = String(name.dropFirst("light".count))
    }
    guard let index = Color.ansiNames.firstIndex(of: name) else { return nil }
    self = .ansi(UInt8(index + (bright ? 8 : 0)))
  }

  private static func parseHex(_ digits: String) -> Color? {
    let expanded: String
    switch digits.count {
    case 6: expanded = digits
    case 3: expanded = digits.map { "\($0)\($0)" }.joined()
    default: return nil
    }
    guard expanded.allSatisfy(\.isHexDigit), let value = UInt32(expanded, radix: 16) else { return nil }
    return .rgb(UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
  }

  /// The color written back in theme-file syntax.
  public var themeValue: String {
    switch self {
    case .default: return "default"
    case .ansi(let n):
      let base = Color.ansiNames[Int(n & 7)]
      return n >= 8 ? "bright\(base)" : base
    case .indexed(let n): return String(n)
    case .rgb(let r, let g, let b):
      return "#" + [r, g, b].map { byte in
        let hex = String(byte, radix: 16, uppercase: true)
        return hex.count == 1 ? "0" + hex : hex
      }.joined()
    }
  }
}

extension String {
  func trimmingWhitespace() -> String {
    var slice = Substring(self)
    while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
    while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
    return String(slice)
  }

  func replacingOccurrences(of target: Character, with replacement: String) -> String {
    var result = ""
    for character in self {
      if character == target { result += replacement } else { result.append(character) }
    }
    return result
  }

  func replacingOccurrences(of target: String, with replacement: String) -> String {
    guard let character = target.first, target.count == 1 else { return self }
    return replacingOccurrences(of: character, with: replacement)
  }
}

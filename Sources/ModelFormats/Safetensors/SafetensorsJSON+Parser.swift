import TensorCore

extension SafetensorsFormat.JSON {
  /// Parses one JSON value (RFC 8259) surrounded by optional whitespace.
  ///
  /// The text is copied once from the (bounds-checked) slice and every access checks the cursor
  /// against its length; nesting is capped so a hostile header cannot exhaust the stack. The text
  /// should already be checked as UTF-8.
  static func parse(_ text: UnsafeRawBufferPointer) throws(SafetensorsFormat.JSONSyntaxError) -> Self {
    var parser = Parser(bytes: Array(text))
    parser.skipWhitespace()
    let value = try parser.parseValue(depth: 0)
    parser.skipWhitespace()
    if parser.position < text.count {
      throw .init(offset: parser.position, reason: "trailing characters after the JSON value")
    }
    return value
  }

  /// Parses JSON held in a byte array (config.json, index files).
  static func parse(_ bytes: [UInt8]) throws(SafetensorsFormat.JSONSyntaxError) -> Self {
    let result: Result<Self, SafetensorsFormat.JSONSyntaxError> = bytes.withUnsafeBytes { raw in
      do throws(SafetensorsFormat.JSONSyntaxError) { return .success(try parse(raw)) } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }
}

private struct Parser {
  typealias SyntaxError = SafetensorsFormat.JSONSyntaxError
  typealias JSON = SafetensorsFormat.JSON
  static let maxDepth = 128

  let bytes: [UInt8]
  var position = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  /// The byte at the cursor, or nil at the end of the text.
  func current() -> UInt8? { position < bytes.count ? bytes[position] : nil }

  mutating func next() throws(SyntaxError) -> UInt8 {
    guard let byte = current() else { throw .init(offset: position, reason: "unexpected end of JSON") }
    position += 1
    return byte
  }

  mutating func skipWhitespace() {
    while let byte = current(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
  }

  mutating func expect(_ literal: String, value: JSON) throws(SyntaxError) -> JSON {
    let start = position
    for expected in literal.utf8 {
      guard try next() == expected else { throw .init(offset: start, reason: "invalid literal") }
    }
    return value
  }

  mutating func parseValue(depth: Int) throws(SyntaxError) -> JSON {
    guard depth < Parser.maxDepth else { throw .init(offset: position, reason: "nesting deeper than \(Parser.maxDepth) levels") }
    guard let byte = current() else { throw .init(offset: position, reason: "unexpected end of JSON") }
    switch byte {
    case UInt8(ascii: "{"): return try parseObject(depth: depth)
    case UInt8(ascii: "["): return try parseArray(depth: depth)
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): return try expect("true", value: .bool(true))
    case UInt8(ascii: "f"): return try expect("false", value: .bool(false))
    case UInt8(ascii: "n"): return try expect("null", value: .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw .init(offset: position, reason: "unexpected character '\(Character(Unicode.Scalar(byte)))'")
    }
  }

  mutating func parseObject(depth: Int) throws(SyntaxError) -> JSON {
    position += 1
    var members: [JSON.Member] = []
    skipWhitespace()
    if current() == UInt8(ascii: "}") { position += 1; return .object(members) }
    while true {
      skipWhitespace()
      let keyOffset = position
      guard current() == UInt8(ascii: "\"") else { throw .init(offset: position, reason: "expected a string key") }
      let key = try parseString()
      skipWhitespace()
      guard try next() == UInt8(ascii: ":") else { throw .init(offset: position - 1, reason: "expected ':' after key") }
      skipWhitespace()
      let value = try parseValue(depth: depth + 1)
      members.append(.init(key: key, value: value, offset: keyOffset))
      skipWhitespace()
      let separator = try next()
      if separator == UInt8(ascii: "}") { return .object(members) }
      guard separator == UInt8(ascii: ",") else { throw .init(offset: position - 1, reason: "expected ',' or '}'") }
    }
  }

  mutating func parseArray(depth: Int) throws(SyntaxError) -> JSON {
    position += 1
    var items: [JSON] = []
    skipWhitespace()
    if current() == UInt8(ascii: "]") { position += 1; return .array(items) }
    while true {
      skipWhitespace()
      items.append(try parseValue(depth: depth + 1))
      skipWhitespace()
      let separator = try next()
      if separator == UInt8(ascii: "]") { return .array(items) }
      guard separator == UInt8(ascii: ",") else { throw .init(offset: position - 1, reason: "expected ',' or ']'") }
    }
  }

  mutating func parseNumber() throws(SyntaxError) -> JSON {
    let start = position
    if current() == UInt8(ascii: "-") { position += 1 }
    guard let first = current(), isDigit(first) else { throw .init(offset: start, reason: "invalid number") }
    position += 1
    if first != UInt8(ascii: "0") { skipDigits() }
    if current() == UInt8(ascii: ".") {
      position += 1
      guard let digit = current(), isDigit(digit) else { throw .init(offset: start, reason: "invalid number") }
      skipDigits()
    }
    if let e = current(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      position += 1
      if let sign = current(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
      guard let digit = current(), isDigit(digit) else { throw .init(offset: start, reason: "invalid number") }
      skipDigits()
    }
    return .number(String(decoding: bytes[start..<position], as: UTF8.self))
  }

  func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

  mutating func skipDigits() {
    while let byte = current(), isDigit(byte) { position += 1 }
  }

  mutating func parseString() throws(SyntaxError) -> String {
    let start = position
    position += 1
    var text: [UInt8] = []
    while true {
      // Copy the run of plain characters up to the next quote, backslash or control character.
      let runStart = position
      while let byte = current(), byte != 0x22, byte != 0x5C, byte >= 0x20 { position += 1 }
      text += bytes[runStart..<position]
      let byte = try next()
      switch byte {
      case UInt8(ascii: "\""):
        return String(decoding: text, as: UTF8.self)
      case UInt8(ascii: "\\"):
        try parseEscape(into: &text)
      default:
        throw .init(offset: position - 1, reason: "control character in string starting at \(start)")
      }
    }
  }

  mutating func parseEscape(into bytes: inout [UInt8]) throws(SyntaxError) {
    let escapeOffset = position - 1
    switch try next() {
    case UInt8(ascii: "\""): bytes.append(0x22)
    case UInt8(ascii: "\\"): bytes.append(0x5C)
    case UInt8(ascii: "/"): bytes.append(0x2F)
    case UInt8(ascii: "b"): bytes.append(0x08)
    case UInt8(ascii: "f"): bytes.append(0x0C)
    case UInt8(ascii: "n"): bytes.append(0x0A)
    case UInt8(ascii: "r"): bytes.append(0x0D)
    case UInt8(ascii: "t"): bytes.append(0x09)
    case UInt8(ascii: "u"):
      var value = try parseHex4()
      if (0xD800..<0xDC00).contains(value) {
        // A leading surrogate must be followed by an escaped trailing one.
        guard try next() == UInt8(ascii: "\\"), try next() == UInt8(ascii: "u") else {
          throw .init(offset: escapeOffset, reason: "lone leading surrogate in \\u escape")
        }
        let low = try parseHex4()
        guard (0xDC00..<0xE000).contains(low) else {
          throw .init(offset: escapeOffset, reason: "invalid surrogate pair in \\u escape")
        }
        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
      } else if (0xDC00..<0xE000).contains(value) {
        throw .init(offset: escapeOffset, reason: "lone trailing surrogate in \\u escape")
      }
      guard let scalar = Unicode.Scalar(value) else { throw .init(offset: escapeOffset, reason: "invalid \\u escape") }
      bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
    default:
      throw .init(offset: escapeOffset, reason: "invalid escape sequence")
    }
  }

  mutating func parseHex4() throws(SyntaxError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = try next()
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw .init(offset: position - 1, reason: "invalid hex digit in \\u escape")
      }
      value = value << 4 | UInt32(digit)
    }
    return value
  }
}

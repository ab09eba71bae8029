/// A piece of text in one style.
public struct Span: Hashable, Sendable {
  public var text: String
  public var style: Style

  public init(_ text: String, style: Style = Style()) {
    self.text = text
    self.style = style
  }

  /// The width of the text in columns.
  public var width: Int { CharWidth.width(of: text) }
}

/// One line of styled spans.
public struct Line: Hashable, Sendable, ExpressibleByStringLiteral {
  public var spans: [Span]

  public init(_ spans: [Span]) {
    self.spans = spans
  }

  /// A line of plain text in one style.
  public init(_ text: String, style: Style = Style()) {
    self.spans = [Span(text, style: style)]
  }

  public init(stringLiteral value: String) {
    self.init(value)
  }

  /// The concatenated text without styles.
  public var text: String { spans.map(\.text).joined() }
  /// The width of the line in columns.
  public var width: Int { spans.reduce(0) { $0 + $1.width } }
}

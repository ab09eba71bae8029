/// How a cell looks: colors plus attributes.
public struct Style: Hashable, Sendable {
  public var fg: Color
  public var bg: Color
  public var bold: Bool
  public var dim: Bool
  public var reverse: Bool
  public var underline: Bool

  /// Creates a style; by default the terminal's own colors with no attributes.
  public init(
    fg: Color = .default, bg: Color = .default, bold: Bool = false, dim: Bool = false,
    reverse: Bool = false, underline: Bool = false
  ) {
    self.fg = fg
    self.bg = bg
    self.bold = bold
    self.dim = dim
    self.reverse = reverse
    self.underline = underline
  }

  /// The plain style.
  public static let plain = Style()

  /// A copy with attributes switched on.
  public func with(
    bold: Bool? = nil, dim: Bool? = nil, reverse: Bool? = nil, underline: Bool? = nil
  ) -> Style {
    var copy = self
    if let bold { copy.bold = bold }
    if let dim { copy.dim = dim }
    if let reverse { copy.reverse = reverse }
    if let underline { copy.underline = underline }
    return copy
  }

  /// `other` drawn over this style: its non-default colors replace ours and attributes add up.
  public func patched(with other: Style) -> Style {
    Style(
      fg: other.fg == .default ? fg : other.fg, bg: other.bg == .default ? bg : other.bg,
      bold: bold || other.bold, dim: dim || other.dim, reverse: reverse || other.reverse,
      underline: underline || other.underline)
  }

  /// This style as a terminal of `depth` can show it.
  ///
  /// Colors are reduced with `Color.reduced(to:)`. On monochrome terminals a style with a
  /// background color (a selection, a status bar, a filled bar) turns into reverse video so that
  /// highlights stay visible without color.
  public func reduced(to depth: ColorDepth) -> Style {
    guard depth == .monochrome else {
      var copy = self
      copy.fg = fg.reduced(to: depth)
      copy.bg = bg.reduced(to: depth)
      return copy
    }
    let highlighted = bg != .default
    return Style(
      fg: .default, bg: .default, bold: bold, dim: dim, reverse: reverse != highlighted,
      underline: underline)
  }
}

/// The characters widgets draw with, in a UTF-8 and a plain-ASCII variant.
///
/// Backends report whether the locale can show UTF-8; views pick `Glyphs.for(unicode:)` once per
/// frame and pass it to every widget, so no widget hard-codes a box-drawing character.
public struct Glyphs: Sendable, Equatable {
  public var horizontal: Character
  public var vertical: Character
  public var topLeft: Character
  public var topRight: Character
  public var bottomLeft: Character
  public var bottomRight: Character
  public var teeLeft: Character
  public var teeRight: Character
  /// Vertical bar heights from empty (index 0) to full (index 8) in eighths.
  public var verticalEighths: [Character]
  /// Horizontal bar widths from empty (index 0) to full (index 8) in eighths.
  public var horizontalEighths: [Character]
  /// The vertical line used for histogram markers (grid levels, clip range).
  public var markerLine: Character
  /// The empty part of a progress bar.
  public var gaugeEmpty: Character
  /// Marks truncated text.
  public var ellipsis: Character
  public var arrowUp: Character
  public var arrowDown: Character
  public var arrowLeft: Character
  public var arrowRight: Character
  public var check: Character
  public var cross: Character
  public var bullet: Character
  /// Whether dot plots may use Braille patterns.
  public var braille: Bool
  /// Whether this is the UTF-8 set.
  public var isUnicode: Bool

  /// Box drawing, eighth blocks, Braille and arrows.
  public static let unicode = Glyphs(
    horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└",
    bottomRight: "┘", teeLeft: "├", teeRight: "┤",
    verticalEighths: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
    horizontalEighths: [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"],
    markerLine: "│", gaugeEmpty: " ", ellipsis: "…", arrowUp: "↑", arrowDown: "↓",
    arrowLeft: "←", arrowRight: "→", check: "✓", cross: "✗", bullet: "•", braille: true,
    isUnicode: true)

  /// Only printable ASCII, for terminals whose locale is not UTF-8 (vt100, the Linux console in C).
  public static let ascii = Glyphs(
    horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+",
    bottomRight: "+", teeLeft: "+", teeRight: "+",
    verticalEighths: [" ", " ", " ", ".", ".", ":", ":", "#", "#"],
    horizontalEighths: [" ", " ", " ", " ", "=", "=", "=", "#", "#"],
    markerLine: "|", gaugeEmpty: "-", ellipsis: "~", arrowUp: "^", arrowDown: "v",
    arrowLeft: "<", arrowRight: ">", check: "x", cross: "!", bullet: "*", braille: false,
    isUnicode: false)

  /// The set for a terminal that can (or cannot) show UTF-8.
  public static func `for`(unicode: Bool) -> Glyphs { unicode ? .unicode : .ascii }
}

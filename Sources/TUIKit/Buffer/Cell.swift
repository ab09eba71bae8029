/// One screen cell: a character (a whole grapheme cluster) and its style.
///
/// A wide character occupies two cells: the first holds the character, the second is a
/// continuation cell that backends skip when drawing.
public struct Cell: Hashable, Sendable {
  public var character: Character
  public var style: Style
  /// Whether this cell is the right half of a wide character to its left.
  public internal(set) var isContinuation: Bool

  /// Creates a cell showing `character` in `style`.
  public init(_ character: Character = " ", style: Style = Style()) {
    self.character = character
    self.style = style
    self.isContinuation = false
  }

  /// A blank cell in the plain style.
  public static let blank = Cell()

  static func continuation(style: Style) -> Cell {
    var cell = Cell(" ", style: style)
    cell.isContinuation = true
    return cell
  }

  /// The number of columns the character takes (0 for continuation cells).
  public var width: Int { isContinuation ? 0 : max(1, CharWidth.width(of: character)) }
}

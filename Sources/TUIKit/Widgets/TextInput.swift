/// The editing state of a one-line text field: its text and the cursor position.
///
/// Pure value editing, so dialogs (such as the save dialog's output path) can be tested as
/// "state + key → state".
public struct TextInputState: Hashable, Sendable {
  public private(set) var text: String
  /// The cursor position in characters, 0…text.count.
  public private(set) var cursor: Int

  public init(_ text: String = "") {
    self.text = text
    self.cursor = text.count
  }

  /// Applies an editing key. Returns `false` for keys the field does not handle (Enter, Esc, Tab).
  @discardableResult
  public mutating func handle(_ chord: KeyChord) -> Bool {
    switch (chord.key, chord.modifiers) {
    case (.char(let c), []), (.char(let c), .shift):
      insert(c)
    case (.backspace, _):
      guard cursor > 0 else { return true }
      remove(at: cursor - 1)
      cursor -= 1
    case (.delete, _), (.char("d"), .control):
      guard cursor < text.count else { return true }
      remove(at: cursor)
    case (.left, _): cursor = max(0, cursor - 1)
    case (.right, _): cursor = min(text.count, cursor + 1)
    case (.home, _), (.char("a"), .control): cursor = 0
    case (.end, _), (.char("e"), .control): cursor = text.count
    case (.char("u"), .control):
      text = String(text.dropFirst(cursor))
      cursor = 0
    case (.char("k"), .control):
      text = String(text.prefix(cursor))
    default:
      return false
    }
    return true
  }

  /// Inserts `character` at the cursor (control characters are refused).
  public mutating func insert(_ character: Character) {
    guard !CharWidth.isControl(character) else { return }
    let index = text.index(text.startIndex, offsetBy: cursor)
    text.insert(character, at: index)
    cursor += 1
  }

  private mutating func remove(at offset: Int) {
    let index = text.index(text.startIndex, offsetBy: offset)
    text.remove(at: index)
  }
}

/// A one-line text field that scrolls horizontally to keep the cursor visible.
public struct TextField: Widget {
  public var state: TextInputState
  public var style: Style
  /// The style of the cell under the cursor (drawn as a block, so no hardware cursor is needed).
  public var cursorStyle: Style
  public var focused: Bool

  public init(state: TextInputState, style: Style = Style(underline: true), cursorStyle: Style = Style(reverse: true), focused: Bool = true) {
    self.state = state
    self.style = style
    self.cursorStyle = cursorStyle
    self.focused = focused
  }

  /// The screen position of the cursor inside `area`.
  public func cursorPosition(in area: Rect) -> Point {
    let (start, _) = visibleRange(width: area.width)
    let before = String(state.text.dropFirst(start).prefix(state.cursor - start))
    return Point(x: area.x + CharWidth.width(of: before), y: area.y)
  }

  // The first visible character, chosen so the cursor (plus one cell for it) fits.
  func visibleRange(width: Int) -> (start: Int, end: Int) {
    guard width > 0 else { return (state.cursor, state.cursor) }
    let characters = Array(state.text)
    var start = 0
    var used = 1
    var index = state.cursor
    while index > 0 {
      let w = CharWidth.width(of: characters[index - 1])
      if used + w > width { break }
      used += w
      index -= 1
    }
    start = index
    return (start, characters.count)
  }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    let row = area.row(0)
    buffer.fill(row, with: Cell(" ", style: style))
    let (start, _) = visibleRange(width: row.width)
    let visible = String(state.text.dropFirst(start))
    buffer.write(visible, at: Point(x: row.x, y: row.y), style: style, clip: row)
    guard focused else { return }
    let position = cursorPosition(in: row)
    let under = buffer[x: position.x, y: position.y]
    buffer.set(Cell(under.isContinuation ? " " : under.character, style: style.patched(with: cursorStyle)), x: position.x, y: position.y)
    if CharWidth.width(of: under.character) == 2, position.x + 1 < row.maxX {
      buffer.write(String(under.character), at: position, style: style.patched(with: cursorStyle), clip: row)
    }
  }
}

extension ScreenBuffer {
  /// Draws a one-cell border around `rect` with `glyphs`, leaving the inside untouched.
  /// Rectangles smaller than 2×2 draw only what fits.
  public mutating func drawBox(_ rect: Rect, glyphs: Glyphs, style: Style) {
    guard !rect.isEmpty else { return }
    let right = rect.maxX - 1
    let bottom = rect.maxY - 1
    for x in rect.x...right {
      set(Cell(glyphs.horizontal, style: style), x: x, y: rect.y)
      set(Cell(glyphs.horizontal, style: style), x: x, y: bottom)
    }
    for y in rect.y...bottom {
      set(Cell(glyphs.vertical, style: style), x: rect.x, y: y)
      set(Cell(glyphs.vertical, style: style), x: right, y: y)
    }
    guard rect.width >= 2, rect.height >= 2 else { return }
    set(Cell(glyphs.topLeft, style: style), x: rect.x, y: rect.y)
    set(Cell(glyphs.topRight, style: style), x: right, y: rect.y)
    set(Cell(glyphs.bottomLeft, style: style), x: rect.x, y: bottom)
    set(Cell(glyphs.bottomRight, style: style), x: right, y: bottom)
  }

  /// Writes `text` into `rect`'s first row aligned as asked, truncating with `ellipsis`.
  @discardableResult
  public mutating func write(
    _ text: String, in rect: Rect, alignment: Alignment, style: Style, ellipsis: Character = "…"
  ) -> Int {
    guard !rect.isEmpty else { return 0 }
    let fitted = TextWrap.truncate(text, width: rect.width, ellipsis: ellipsis)
    let used = CharWidth.width(of: fitted)
    let left: Int
    switch alignment {
    case .left: left = rect.x
    case .center: left = rect.x + (rect.width - used) / 2
    case .right: left = rect.maxX - used
    }
    return write(fitted, at: Point(x: left, y: rect.y), style: style, clip: rect)
  }
}

/// Horizontal placement of text within its space.
public enum Alignment: Sendable, Hashable {
  case left, center, right
}

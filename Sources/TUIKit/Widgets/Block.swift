/// A bordered box with an optional title, the frame around a pane.
public struct Block: Widget {
  public var title: String?
  public var borderStyle: Style
  public var titleStyle: Style
  /// Fill for the inside; `nil` leaves it as it is.
  public var fillStyle: Style?
  public var glyphs: Glyphs
  /// Whether to draw the border (a borderless block only fills and titles nothing).
  public var bordered: Bool

  public init(
    title: String? = nil, borderStyle: Style = Style(), titleStyle: Style = Style(bold: true),
    fillStyle: Style? = nil, glyphs: Glyphs = .unicode, bordered: Bool = true
  ) {
    self.title = title
    self.borderStyle = borderStyle
    self.titleStyle = titleStyle
    self.fillStyle = fillStyle
    self.glyphs = glyphs
    self.bordered = bordered
  }

  /// The area inside the border, where content goes.
  public func inner(_ area: Rect) -> Rect {
    bordered ? area.inset(by: 1) : area
  }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    if let fillStyle { buffer.fill(area, with: Cell(" ", style: fillStyle)) }
    guard bordered else { return }
    buffer.drawBox(area, glyphs: glyphs, style: borderStyle)
    if let title, !title.isEmpty, area.width > 4 {
      let titleArea = Rect(x: area.x + 2, y: area.y, width: area.width - 4, height: 1)
      let fitted = " " + TextWrap.truncate(title, width: titleArea.width - 2, ellipsis: glyphs.ellipsis) + " "
      buffer.write(fitted, at: Point(x: titleArea.x, y: titleArea.y), style: titleStyle, clip: titleArea)
    }
  }
}

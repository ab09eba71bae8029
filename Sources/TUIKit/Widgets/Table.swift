/// One column of a `Table`.
public struct TableColumn: Sendable, Hashable {
  public var title: String
  public var width: Constraint
  public var alignment: Alignment

  public init(_ title: String, width: Constraint, alignment: Alignment = .left) {
    self.title = title
    self.width = width
    self.alignment = alignment
  }
}

/// Rows of cells under a header, with a highlighted selected row and a scroll offset.
///
/// The table draws rows `offset…` that fit; callers keep `offset` in their state and update it
/// with `Scrolling.offset(keeping:visible:current:count:)` (or use `visibleOffset(height:)`).
public struct Table: Widget {
  public var columns: [TableColumn]
  public var rows: [[Span]]
  public var selected: Int?
  public var offset: Int
  public var headerStyle: Style
  public var rowStyle: Style
  public var selectedStyle: Style
  public var showHeader: Bool
  /// Gap between columns.
  public var spacing: Int
  public var glyphs: Glyphs

  public init(
    columns: [TableColumn], rows: [[Span]], selected: Int? = nil, offset: Int = 0,
    headerStyle: Style = Style(bold: true), rowStyle: Style = Style(),
    selectedStyle: Style = Style(reverse: true), showHeader: Bool = true, spacing: Int = 1,
    glyphs: Glyphs = .unicode
  ) {
    self.columns = columns
    self.rows = rows
    self.selected = selected
    self.offset = offset
    self.headerStyle = headerStyle
    self.rowStyle = rowStyle
    self.selectedStyle = selectedStyle
    self.showHeader = showHeader
    self.spacing = spacing
    self.glyphs = glyphs
  }

  /// A table of plain strings, all in the row style.
  public init(columns: [TableColumn], rows: [[String]], selected: Int? = nil, offset: Int = 0) {
    self.init(columns: columns, rows: rows.map { $0.map { Span($0) } }, selected: selected, offset: offset)
  }

  /// How many data rows fit in `height` rows of screen.
  public func visibleRowCount(height: Int) -> Int { max(0, height - (showHeader ? 1 : 0)) }

  /// The offset that keeps the selection visible in an area `height` rows high.
  public func visibleOffset(height: Int) -> Int {
    Scrolling.offset(keeping: selected, visible: visibleRowCount(height: height), current: offset, count: rows.count)
  }

  /// The data row index drawn at screen row `y` (for mouse clicks), if any.
  public func rowIndex(atScreenRow y: Int, area: Rect) -> Int? {
    let first = area.y + (showHeader ? 1 : 0)
    guard y >= first, y < area.maxY else { return nil }
    let index = visibleOffset(height: area.height) + (y - first)
    return index < rows.count ? index : nil
  }

  /// The column rectangles for `area`, gaps removed.
  func columnRects(_ area: Rect) -> [Rect] {
    guard !columns.isEmpty else { return [] }
    var constraints: [Constraint] = []
    for (n, column) in columns.enumerated() {
      if n > 0 { constraints.append(.fixed(spacing)) }
      constraints.append(column.width)
    }
    let parts = area.split(.horizontal, constraints)
    return stride(from: 0, to: parts.count, by: 2).map { parts[$0] }
  }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    let rects = columnRects(area)
    var y = area.y
    if showHeader {
      buffer.fill(area.row(0), with: Cell(" ", style: headerStyle))
      for (column, rect) in zip(columns, rects) {
        let cellRect = Rect(x: rect.x, y: y, width: rect.width, height: 1)
        buffer.write(column.title, in: cellRect, alignment: column.alignment, style: headerStyle, ellipsis: glyphs.ellipsis)
      }
      y += 1
    }
    let start = visibleOffset(height: area.height)
    for index in start..<rows.count {
      guard y < area.maxY else { break }
      let isSelected = index == selected
      let style = isSelected ? selectedStyle : rowStyle
      buffer.fill(Rect(x: area.x, y: y, width: area.width, height: 1), with: Cell(" ", style: style))
      for (cell, (column, rect)) in zip(rows[index], zip(columns, rects)) {
        let cellRect = Rect(x: rect.x, y: y, width: rect.width, height: 1)
        // A selected row keeps the cell's own colour only where the selection sets none.
        let cellStyle = isSelected ? cell.style.patched(with: selectedStyle) : rowStyle.patched(with: cell.style)
        buffer.write(cell.text, in: cellRect, alignment: column.alignment, style: cellStyle, ellipsis: glyphs.ellipsis)
      }
      y += 1
    }
  }
}

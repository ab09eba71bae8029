/// A width×height grid of cells that views draw into.
///
/// Every accessor is bounds-checked: reads outside the grid return a blank cell and writes
/// outside it are ignored, so a view handed a 0×0 or 1×1 area can never trap.
public struct ScreenBuffer: Equatable, Sendable {
  public private(set) var width: Int
  public private(set) var height: Int
  private var cells: [Cell]

  /// Creates a buffer filled with `fill`.
  public init(width: Int, height: Int, fill: Cell = .blank) {
    self.width = max(0, width)
    self.height = max(0, height)
    self.cells = [Cell](repeating: fill, count: self.width * self.height)
  }

  /// Creates a buffer of the given size filled with blanks.
  public init(size: Size) {
    self.init(width: size.width, height: size.height)
  }

  /// The whole buffer as a rectangle at the origin.
  public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }
  public var size: Size { Size(width: width, height: height) }

  private func index(_ x: Int, _ y: Int) -> Int? {
    guard x >= 0, y >= 0, x < width, y < height else { return nil }
    return y * width + x
  }

  /// The cell at column `x`, row `y`; a blank cell outside the buffer.
  public subscript(x x: Int, y y: Int) -> Cell {
    guard let i = index(x, y) else { return .blank }
    return cells[i]
  }

  /// Puts `cell` at (`x`, `y`) as a single-width cell, repairing any wide character it
  /// overwrites half of. Ignored outside the buffer.
  public mutating func set(_ cell: Cell, x: Int, y: Int) {
    guard let i = index(x, y) else { return }
    clearWideNeighbours(at: x, y: y)
    var stored = cell
    stored.isContinuation = false
    cells[i] = stored
  }

  /// Changes only the style of the cell at (`x`, `y`).
  public mutating func setStyle(_ style: Style, x: Int, y: Int) {
    guard let i = index(x, y) else { return }
    cells[i].style = style
  }

  /// Replaces every cell in `rect` (clipped to the buffer) with `cell`.
  public mutating func fill(_ rect: Rect, with cell: Cell) {
    let area = rect.intersection(bounds)
    guard !area.isEmpty else { return }
    for y in area.y..<area.maxY {
      clearWideNeighbours(at: area.x, y: y)
      clearWideNeighbours(at: area.maxX - 1, y: y)
      for x in area.x..<area.maxX {
        if let i = index(x, y) { cells[i] = cell }
      }
    }
  }

  /// Applies `style` over every cell in `rect` (see `Style.patched(with:)`).
  public mutating func patchStyle(_ style: Style, in rect: Rect) {
    let area = rect.intersection(bounds)
    guard !area.isEmpty else { return }
    for y in area.y..<area.maxY {
      for x in area.x..<area.maxX {
        if let i = index(x, y) { cells[i].style = cells[i].style.patched(with: style) }
      }
    }
  }

  /// Resizes to `size`, discarding the contents.
  public mutating func reset(to size: Size) {
    self = ScreenBuffer(size: size)
  }

  /// Writes `text` starting at `point`, clipped to `clip` (and the buffer).
  ///
  /// Wide characters take two columns; one that would straddle the clip edge is replaced by a
  /// space. Control characters are shown as `?`, and zero-width characters are dropped.
  /// - Returns: The number of columns advanced.
  @discardableResult
  public mutating func write(_ text: String, at point: Point, style: Style, clip: Rect? = nil) -> Int {
    let area = (clip ?? bounds).intersection(bounds)
    guard point.y >= area.y, point.y < area.maxY else { return 0 }
    var x = point.x
    for character in text {
      if x >= area.maxX { break }
      var shown = character
      var columns = CharWidth.width(of: character)
      if CharWidth.isControl(character) {
        shown = "?"
        columns = 1
      }
      if columns == 0 { continue }
      if x < area.x {
        x += columns
        continue
      }
      if columns == 2 && x + 1 >= area.maxX {
        set(Cell(" ", style: style), x: x, y: point.y)
        x += 1
        break
      }
      set(Cell(shown, style: style), x: x, y: point.y)
      if columns == 2 {
        clearWideNeighbours(at: x + 1, y: point.y)
        if let i = index(x + 1, point.y) { cells[i] = .continuation(style: style) }
      }
      x += columns
    }
    return x - point.x
  }

  /// Writes a line of styled spans starting at `point`, clipped like `write(_:at:style:clip:)`.
  @discardableResult
  public mutating func write(_ line: Line, at point: Point, clip: Rect? = nil) -> Int {
    var x = point.x
    for span in line.spans {
      x += write(span.text, at: Point(x: x, y: point.y), style: span.style, clip: clip)
    }
    return x - point.x
  }

  /// The buffer as text lines, one per row (continuation cells skipped), for tests and debugging.
  public var lines: [String] {
    (0..<height).map { y in
      var line = ""
      for x in 0..<width {
        let cell = cells[y * width + x]
        if !cell.isContinuation { line.append(cell.character) }
      }
      return line
    }
  }

  // Before a cell is overwritten, the other half of a wide character it belongs to is blanked,
  // so no stray continuation (or orphaned left half) remains.
  private mutating func clearWideNeighbours(at x: Int, y: Int) {
    guard let i = index(x, y) else { return }
    if cells[i].isContinuation, let left = index(x - 1, y) {
      cells[left] = Cell(" ", style: cells[left].style)
    } else if let right = index(x + 1, y), cells[right].isContinuation {
      cells[right] = Cell(" ", style: cells[right].style)
    }
    if cells[i].isContinuation { cells[i] = Cell(" ", style: cells[i].style) }
  }
}

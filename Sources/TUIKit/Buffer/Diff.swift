/// A run of consecutive cells on one row that changed between two frames.
public struct CellRun: Equatable, Sendable {
  /// Where the first cell goes.
  public var origin: Point
  /// The new cells, left to right; continuation cells of wide characters are included and
  /// must be skipped (not drawn) by backends.
  public var cells: [Cell]

  public init(origin: Point, cells: [Cell]) {
    self.origin = origin
    self.cells = cells
  }
}

extension ScreenBuffer {
  /// The runs of cells that differ from `previous`, row by row, left to right.
  ///
  /// When the sizes differ every cell is reported. A run never starts on a continuation cell:
  /// it is widened to include the wide character to its left, since a terminal cannot draw
  /// half of one.
  public func diff(from previous: ScreenBuffer) -> [CellRun] {
    let everything = previous.width != width || previous.height != height
    var runs: [CellRun] = []
    for y in 0..<height {
      var x = 0
      while x < width {
        guard everything || self[x: x, y: y] != previous[x: x, y: y] else {
          x += 1
          continue
        }
        var start = x
        if self[x: start, y: y].isContinuation, start > 0 { start -= 1 }
        var end = x + 1
        while end < width, everything || self[x: end, y: y] != previous[x: end, y: y] {
          end += 1
        }
        // Never stop between a wide character and its continuation.
        if end < width, self[x: end, y: y].isContinuation { end += 1 }
        if let last = runs.last, last.origin.y == y, last.origin.x + last.cells.count > start {
          start = last.origin.x + last.cells.count
        }
        if start < end {
          runs.append(CellRun(origin: Point(x: start, y: y), cells: (start..<end).map { self[x: $0, y: y] }))
        }
        x = end
      }
    }
    return runs
  }
}

/// The render loop's memory: the previous and the current frame, and the backend they go to.
///
/// Each `draw` renders a whole frame into a fresh buffer with the given closure, reduces its
/// styles to what the backend can show, sends only the changed runs, flushes, and keeps the
/// frame as the new "previous". Views never talk to the backend themselves.
public struct Terminal<Backend: TerminalBackend> {
  public let backend: Backend
  /// The frame currently on screen.
  public private(set) var previous: ScreenBuffer
  /// Colors are reduced to the lower of this limit and the backend's depth (e.g. for NO_COLOR).
  public var colorDepthLimit: ColorDepth?
  /// The number of cells sent in the last frame.
  public private(set) var lastChangedCells = 0

  /// Creates a render loop over `backend`; the first frame repaints everything.
  public init(backend: Backend, colorDepthLimit: ColorDepth? = nil) {
    self.backend = backend
    self.colorDepthLimit = colorDepthLimit
    self.previous = ScreenBuffer(width: 0, height: 0)
  }

  /// The depth styles are reduced to.
  public var colorDepth: ColorDepth {
    let depth = backend.capabilities.colorDepth
    guard let colorDepthLimit else { return depth }
    return min(depth, colorDepthLimit)
  }

  /// The glyphs matching the backend's Unicode support.
  public var glyphs: Glyphs { backend.capabilities.glyphs }

  /// Forgets the previous frame so the next `draw` repaints every cell (after a resize or
  /// when something else may have scribbled on the terminal).
  public mutating func invalidate() throws {
    previous = ScreenBuffer(width: 0, height: 0)
    try backend.clear()
  }

  /// Renders a frame with `body`, which gets the buffer and its full area, and shows the changes.
  ///
  /// - Parameter cursor: Where to put the hardware cursor (a text field), or `nil` to hide it.
  public mutating func draw(cursor: Point? = nil, _ body: (inout ScreenBuffer, Rect) -> Void) throws {
    let size = backend.size
    if size != previous.size { try invalidate() }
    var frame = ScreenBuffer(size: size)
    body(&frame, frame.bounds)
    let depth = colorDepth
    var runs = frame.diff(from: previous)
    lastChangedCells = 0
    for r in runs.indices {
      for c in runs[r].cells.indices {
        runs[r].cells[c].style = runs[r].cells[c].style.reduced(to: depth)
      }
      lastChangedCells += runs[r].cells.count
    }
    if !runs.isEmpty { try backend.draw(runs) }
    try backend.setCursor(cursor)
    try backend.flush()
    previous = frame
  }
}

/// An in-memory terminal for tests: it keeps what was drawn as cells, reports scripted input
/// events, and renders to lines of text.
///
/// Use it directly as a `TerminalBackend` behind a `Terminal`, or call `render(_:)` to draw one
/// frame with a closure and read back `lines` and `style(at:)`.
public final class VirtualScreen: TerminalBackend {
  /// The cells as last drawn (and flushed or not).
  public private(set) var buffer: ScreenBuffer
  public var capabilities: TerminalCapabilities
  /// Events `readEvent` hands out, first in first out.
  public var pendingEvents: [InputEvent] = []
  /// Where the cursor was last put (`nil` when hidden).
  public private(set) var cursor: Point?
  /// How many times `flush()` was called.
  public private(set) var flushCount = 0
  /// How many cells were drawn in total, a measure of how much diffing saved.
  public private(set) var cellsDrawn = 0
  /// How many `draw` calls were made.
  public private(set) var drawCalls = 0

  /// Creates a blank screen of `width`×`height` cells.
  public init(
    width: Int, height: Int,
    capabilities: TerminalCapabilities = TerminalCapabilities(colorDepth: .indexed256, unicode: true)
  ) {
    self.buffer = ScreenBuffer(width: width, height: height)
    self.capabilities = capabilities
  }

  public var size: Size { buffer.size }

  /// The screen as text lines.
  public var lines: [String] { buffer.lines }

  /// The style of the cell at `point`.
  public func style(at point: Point) -> Style { buffer[x: point.x, y: point.y].style }

  /// The text of `rect` (clipped), one string per row.
  public func text(in rect: Rect) -> [String] {
    let area = rect.intersection(buffer.bounds)
    guard !area.isEmpty else { return [] }
    return (area.y..<area.maxY).map { y in
      var line = ""
      for x in area.x..<area.maxX where !buffer[x: x, y: y].isContinuation {
        line.append(buffer[x: x, y: y].character)
      }
      return line
    }
  }

  /// Draws one frame directly with `body` (no diffing) and returns the lines.
  @discardableResult
  public func render(_ body: (inout ScreenBuffer, Rect) -> Void) -> [String] {
    var frame = ScreenBuffer(size: buffer.size)
    body(&frame, frame.bounds)
    buffer = frame
    return lines
  }

  /// Changes the size (contents are cleared) and queues a `.resize` event, as a real terminal would.
  public func resize(to size: Size) {
    buffer = ScreenBuffer(size: size)
    pendingEvents.append(.resize(size))
  }

  public func draw(_ runs: [CellRun]) throws {
    drawCalls += 1
    for run in runs {
      var x = run.origin.x
      for cell in run.cells {
        if !cell.isContinuation {
          if cell.width == 2 {
            buffer.write(String(cell.character), at: Point(x: x, y: run.origin.y), style: cell.style)
          } else {
            buffer.set(cell, x: x, y: run.origin.y)
          }
          cellsDrawn += 1
        }
        x += 1
      }
    }
  }

  public func setCursor(_ position: Point?) throws { cursor = position }

  public func clear() throws { buffer = ScreenBuffer(size: buffer.size) }

  public func flush() throws { flushCount += 1 }

  public func readEvent(timeoutMilliseconds: Int?) throws -> InputEvent? {
    guard !pendingEvents.isEmpty else { return nil }
    return pendingEvents.removeFirst()
  }
}

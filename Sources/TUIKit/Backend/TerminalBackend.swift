/// What a terminal can show.
public struct TerminalCapabilities: Hashable, Sendable {
  /// How many colors styles are reduced to before drawing.
  public var colorDepth: ColorDepth
  /// Whether the locale can show UTF-8 (box drawing, eighth blocks, Braille).
  public var unicode: Bool
  /// Whether mouse clicks and the wheel are reported.
  public var mouse: Bool

  public init(colorDepth: ColorDepth, unicode: Bool, mouse: Bool = false) {
    self.colorDepth = colorDepth
    self.unicode = unicode
    self.mouse = mouse
  }

  /// The glyph set that matches `unicode`.
  public var glyphs: Glyphs { .for(unicode: unicode) }
}

/// The seam between the toolkit and a real or in-memory terminal.
///
/// `CursesBackend` implements it over ncursesw; `VirtualScreen` implements it in memory for tests.
/// Backends draw what they are given; `Terminal` decides what changed and reduces styles to
/// `capabilities.colorDepth` first.
public protocol TerminalBackend: AnyObject {
  /// The current size in cells.
  var size: Size { get }
  /// What the terminal can show.
  var capabilities: TerminalCapabilities { get }
  /// Draws runs of cells (skipping continuation cells); not visible until `flush()`.
  func draw(_ runs: [CellRun]) throws
  /// Places the hardware cursor at `position`, or hides it with `nil`.
  func setCursor(_ position: Point?) throws
  /// Forgets what is on the screen so the next draw repaints everything.
  func clear() throws
  /// Makes everything drawn so far visible.
  func flush() throws
  /// Waits up to `timeoutMilliseconds` (forever when `nil`) for the next event.
  func readEvent(timeoutMilliseconds: Int?) throws -> InputEvent?
}

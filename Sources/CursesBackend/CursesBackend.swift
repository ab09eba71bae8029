import CNcurses
import Foundation
import TUIKit

/// A `TerminalBackend` over ncursesw: the only code that calls curses.
///
/// Create it through `TerminalSession.run`, which guarantees the terminal is restored. The
/// backend draws the runs `Terminal` sends with wide-character calls, allocates color pairs
/// lazily, and decodes input with `CursesKeys` (a pure, tested table).
public final class CursesBackend: TerminalBackend {
  /// Start-up choices.
  public struct Options: Sendable {
    /// Force UTF-8 glyphs on or off; `nil` follows the locale's codeset.
    public var unicode: Bool?
    /// Cap the color depth (e.g. `.monochrome` for NO_COLOR).
    public var colorDepthLimit: ColorDepth?
    /// Ask the terminal for mouse clicks and wheel events.
    public var mouse: Bool

    public init(unicode: Bool? = nil, colorDepthLimit: ColorDepth? = nil, mouse: Bool = true) {
      self.unicode = unicode
      self.colorDepthLimit = colorDepthLimit
      self.mouse = mouse
    }
  }

  public let capabilities: TerminalCapabilities
  private var pairs: ColorPairTable
  /// Whether `use_default_colors` worked, so -1 means the terminal's own color.
  let defaultColorsAvailable: Bool
  private var active = true

  /// Longest single wait inside `readEvent`, so signals are noticed even while idle.
  static let pollSliceMilliseconds: Int32 = 100

  init(options: Options) throws(TerminalError) {
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
    setlocale(LC_ALL, "")
    let localeUnicode = cncurses_locale_is_utf8() != 0
    TerminalSignals.prepare()
    guard cncurses_start() == 0 else {
      throw .unknownTerminal(ProcessInfo.processInfo.environment["TERM"] ?? "(unset)")
    }
    TerminalSignals.cursesStarted()
    cncurses_setup_input()
    curs_set(0)
    var depth = ColorDepth.monochrome
    var defaultColors = false
    if has_colors() {
      start_color()
      defaultColors = use_default_colors() == OK
      depth = ColorDepth(colorCount: Int(cncurses_colors()))
    }
    if let limit = options.colorDepthLimit { depth = min(depth, limit) }
    let mouse = options.mouse && cncurses_enable_mouse() != 0
    self.defaultColorsAvailable = defaultColors
    self.pairs = ColorPairTable(capacity: depth == .monochrome ? 1 : Int(cncurses_color_pairs()))
    self.capabilities = TerminalCapabilities(
      colorDepth: depth, unicode: options.unicode ?? localeUnicode, mouse: mouse)
    TerminalSignals.installHandlers()
  }

  func allocatePair(fg: Int, bg: Int) -> ColorPairTable.Allocation {
    pairs.allocate(fg: fg, bg: bg)
  }

  public var size: Size {
    Size(width: Int(cncurses_cols()), height: Int(cncurses_lines()))
  }

  public func draw(_ runs: [CellRun]) throws {
    for run in runs {
      var x = run.origin.x
      for cell in run.cells {
        defer { x += 1 }
        if cell.isContinuation { continue }
        put(cell, x: x, y: run.origin.y)
      }
    }
  }

  public func setCursor(_ position: Point?) throws {
    if let position {
      curs_set(1)
      _ = cncurses_move(Int32(position.y), Int32(position.x))
    } else {
      curs_set(0)
    }
  }

  public func clear() throws {
    _ = cncurses_erase()
  }

  public func flush() throws {
    // ERR from refresh only means part of the screen could not be written (e.g. a hung-up
    // terminal); the next frame retries, so it is not worth failing the app over.
    _ = cncurses_refresh()
  }

  public func readEvent(timeoutMilliseconds: Int?) throws -> InputEvent? {
    var remaining = timeoutMilliseconds.map { Int32(clamping: max(0, $0)) }
    while true {
      if let signal = TerminalSignals.takePending() { return .signal(signal) }
      let slice = min(remaining ?? CursesBackend.pollSliceMilliseconds, CursesBackend.pollSliceMilliseconds)
      var code: UInt32 = 0
      let kind = cncurses_read(slice, &code)
      if kind < 0 {
        if let signal = TerminalSignals.takePending() { return .signal(signal) }
        if let left = remaining {
          remaining = left - slice
          if left - slice <= 0 { return nil }
        }
        continue
      }
      if let event = decode(code, isKeyCode: kind == 1) { return event }
      if remaining != nil { return nil }
    }
  }

  private func decode(_ code: UInt32, isKeyCode: Bool) -> InputEvent? {
    switch CursesKeys.decode(code, isKeyCode: isKeyCode) {
    case .event(let event):
      return event
    case .resize:
      return .resize(size)
    case .mouse:
      var kind: Int32 = 0
      var x: Int32 = 0
      var y: Int32 = 0
      guard cncurses_read_mouse(&kind, &x, &y) == 0 else { return nil }
      return CursesKeys.mouseEvent(kind: kind, x: x, y: y)
    case .escape:
      // ESC followed at once by a character is Alt+character; alone it is Esc.
      var next: UInt32 = 0
      if cncurses_read(0, &next) == 0, let chord = CursesKeys.altChord(following: next) {
        return .key(chord)
      }
      return .key(KeyChord(.escape))
    case .ignored:
      return nil
    }
  }

  /// Ends curses and restores the terminal; safe to call more than once.
  public func shutdown() {
    guard active else { return }
    active = false
    TerminalSignals.uninstallHandlers()
    TerminalSignals.restoreTerminal()
  }

  deinit { shutdown() }
}

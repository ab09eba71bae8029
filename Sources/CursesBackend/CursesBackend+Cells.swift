import CNcurses
import TUIKit

extension CursesBackend {
  /// Draws one (non-continuation) cell. Per-cell errors are ignored: curses reports ERR for
  /// the bottom-right cell even though it draws it.
  func put(_ cell: Cell, x: Int, y: Int) {
    var attributes = cncurses_a_normal()
    if cell.style.bold { attributes |= cncurses_a_bold() }
    if cell.style.dim { attributes |= cncurses_a_dim() }
    if cell.style.reverse { attributes |= cncurses_a_reverse() }
    if cell.style.underline { attributes |= cncurses_a_underline() }
    let pair = pairNumber(for: cell.style)
    var text = wideText(for: cell.character)
    let wideFallback = !capabilities.unicode && cell.width == 2
    if wideFallback { text = [wchar_t(UInt8(ascii: "?")), 0] }
    _ = text.withUnsafeBufferPointer { buffer in
      cncurses_put(Int32(y), Int32(x), buffer.baseAddress, attributes, pair)
    }
    if wideFallback {
      // The wide character's second column still needs covering when shown as one "?".
      let space: [wchar_t] = [wchar_t(UInt8(ascii: " ")), 0]
      _ = space.withUnsafeBufferPointer { cncurses_put(Int32(y), Int32(x + 1), $0.baseAddress, attributes, pair) }
    }
  }

  /// The character as a NUL-terminated wide string of at most a spacing character and four
  /// combining marks (curses' CCHARW_MAX is 5); non-ASCII becomes `?` without UTF-8.
  func wideText(for character: Character) -> [wchar_t] {
    var scalars = Array(character.unicodeScalars.prefix(5))
    if !capabilities.unicode, scalars.contains(where: { !$0.isASCII }) { scalars = ["?"] }
    if scalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { scalars = ["?"] }
    return scalars.map { wchar_t(bitPattern: $0.value) } + [0]
  }

  /// The color number curses uses for `color` (-1 is the terminal default).
  func colorNumber(_ color: Color, isBackground: Bool) -> Int {
    switch color.reduced(to: capabilities.colorDepth) {
    case .default: return defaultColorsAvailable ? -1 : (isBackground ? 0 : 7)
    case .ansi(let n): return Int(n)
    case .indexed(let n): return Int(n)
    case .rgb: return -1
    }
  }

  func pairNumber(for style: Style) -> Int32 {
    guard capabilities.colorDepth > .monochrome else { return 0 }
    var fg = colorNumber(style.fg, isBackground: false)
    var bg = colorNumber(style.bg, isBackground: true)
    for attempt in 0..<2 {
      switch allocatePair(fg: fg, bg: bg) {
      case .existing(let pair): return Int32(pair)
      case .new(let pair):
        _ = cncurses_init_pair(Int32(pair), Int32(fg), Int32(bg))
        return Int32(pair)
      case .full:
        guard attempt == 0 else { return 0 }
        // Out of pairs: retry with the 16 ANSI colors, whose pairs are likely already defined.
        fg = colorNumber(style.fg.reduced(to: .ansi16), isBackground: false)
        bg = colorNumber(style.bg.reduced(to: .ansi16), isBackground: true)
      }
    }
    return 0
  }
}

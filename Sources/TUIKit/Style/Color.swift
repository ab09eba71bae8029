/// A terminal color as written in a theme, before it is reduced for a particular terminal.
public enum Color: Hashable, Sendable {
  /// The terminal's own foreground or background.
  case `default`
  /// One of the 16 ANSI colors: 0–7 normal, 8–15 bright.
  case ansi(UInt8)
  /// An entry of the 256-color palette.
  case indexed(UInt8)
  /// A 24-bit color; reduced to the 256-color cube on real terminals.
  case rgb(UInt8, UInt8, UInt8)
}

/// How many colors a terminal can show.
public enum ColorDepth: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
  /// No colors: only attributes such as reverse and bold.
  case monochrome = 0
  /// The 8 basic ANSI colors.
  case ansi8 = 8
  /// The 16 ANSI colors.
  case ansi16 = 16
  /// The xterm 256-color palette.
  case indexed256 = 256

  public static func < (lhs: ColorDepth, rhs: ColorDepth) -> Bool { lhs.rawValue < rhs.rawValue }

  /// The depth for a terminal reporting `colors` colors (curses' `COLORS`).
  public init(colorCount colors: Int) {
    switch colors {
    case 256...: self = .indexed256
    case 16...: self = .ansi16
    case 8...: self = .ansi8
    default: self = .monochrome
    }
  }

  public var description: String {
    switch self {
    case .monochrome: "monochrome"
    case .ansi8: "8 colors"
    case .ansi16: "16 colors"
    case .indexed256: "256 colors"
    }
  }
}

extension Color {
  /// The ANSI color names accepted in theme files, indexed by ANSI number (0–7; add `bright` for 8–15).
  public static let ansiNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

  /// Approximate RGB values of the 16 ANSI colors (xterm's defaults), used for reduction.
  static let ansiPalette: [(UInt8, UInt8, UInt8)] = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
    (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
    (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
  ]

  /// The six levels of each channel in the xterm 6×6×6 color cube.
  static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

  /// The approximate RGB value of this color, or `nil` for `.default`.
  public var rgbValue: (r: UInt8, g: UInt8, b: UInt8)? {
    switch self {
    case .default:
      return nil
    case .ansi(let n):
      let entry = Color.ansiPalette[Int(n & 15)]
      return (entry.0, entry.1, entry.2)
    case .indexed(let n):
      if n < 16 {
        let entry = Color.ansiPalette[Int(n)]
        return (entry.0, entry.1, entry.2)
      }
      if n >= 232 {
        let level = UInt8(8 + 10 * (Int(n) - 232))
        return (level, level, level)
      }
      let cube = Int(n) - 16
      return (
        UInt8(Color.cubeLevels[cube / 36]), UInt8(Color.cubeLevels[(cube / 6) % 6]),
        UInt8(Color.cubeLevels[cube % 6])
      )
    case .rgb(let r, let g, let b):
      return (r, g, b)
    }
  }
}

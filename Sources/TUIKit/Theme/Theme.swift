/// A set of colors by role. Roles a theme does not set fall back to the built-in default theme.
public struct Theme: Hashable, Sendable {
  /// The theme's name (file name without `.theme`, or `default` / `monochrome` when built in).
  public var name: String
  /// The roles this theme sets explicitly.
  public var colors: [ThemeRole: Color]

  public init(name: String, colors: [ThemeRole: Color]) {
    self.name = name
    self.colors = colors
  }

  /// The color for `role`: this theme's, else the built-in default's, else the terminal default.
  public subscript(role: ThemeRole) -> Color {
    colors[role] ?? Theme.builtinDefault.colors[role] ?? .default
  }

  /// A style from a foreground and an optional background role, plus attributes.
  public func style(
    _ fg: ThemeRole, bg: ThemeRole? = nil, bold: Bool = false, dim: Bool = false,
    underline: Bool = false, reverse: Bool = false
  ) -> Style {
    Style(
      fg: self[fg], bg: bg.map { self[$0] } ?? .default, bold: bold, dim: dim,
      reverse: reverse, underline: underline)
  }

  /// The theme as a theme file (every role, in `ThemeRole.all` order).
  public var fileText: String {
    var text = "# qscope theme: \(name)\n"
    for role in ThemeRole.all {
      text += "\(role.rawValue) = \"\(self[role].themeValue)\"\n"
    }
    return text
  }
}

extension Theme {
  /// The compiled-in default (dark) theme; `Themes/dark.theme` carries the same values.
  public static let builtinDefault = Theme(
    name: "default",
    colors: [
      .mainFg: .default, .mainBg: .default,
      .borderFg: .rgb(0x58, 0x58, 0x58), .borderFocusedFg: .rgb(0x5F, 0xAF, 0xFF),
      .titleFg: .rgb(0xBC, 0xBC, 0xBC), .titleFocusedFg: .rgb(0xFF, 0xFF, 0xFF),
      .tensorListFg: .default, .tensorListHeaderFg: .rgb(0x87, 0xAF, 0xD7),
      .tensorListSelectedFg: .rgb(0xFF, 0xFF, 0xFF), .tensorListSelectedBg: .rgb(0x30, 0x5F, 0x87),
      .tensorListModifiedFg: .rgb(0xFF, 0xAF, 0x5F),
      .detailLabelFg: .rgb(0x87, 0xAF, 0xD7), .detailValueFg: .default,
      .statusFg: .rgb(0xD0, 0xD0, 0xD0), .statusBg: .rgb(0x26, 0x26, 0x26),
      .statusKeyFg: .rgb(0xFF, 0xD7, 0x5F),
      .helpKeyFg: .rgb(0xFF, 0xD7, 0x5F), .helpDescFg: .default, .helpSectionFg: .rgb(0x87, 0xAF, 0xD7),
      .histogramBar: .rgb(0x5F, 0xAF, 0xD7), .histogramGrid: .rgb(0xD7, 0xAF, 0x5F),
      .clipMarker: .rgb(0xFF, 0x5F, 0x5F), .errorHistogramBar: .rgb(0xD7, 0x5F, 0x87),
      .rangeStrip: .rgb(0x87, 0xAF, 0x87), .rangeZero: .rgb(0x58, 0x58, 0x58),
      .frontierPoint: .rgb(0x87, 0xAF, 0xD7), .frontierLine: .rgb(0x5F, 0x87, 0xAF),
      .frontierCurrent: .rgb(0xFF, 0xD7, 0x5F),
      .gaugeFg: .rgb(0x5F, 0xAF, 0x5F), .gaugeBg: .rgb(0x30, 0x30, 0x30),
      .dialogFg: .default, .dialogBg: .rgb(0x1C, 0x1C, 0x1C), .dialogBorderFg: .rgb(0x5F, 0xAF, 0xFF),
      .inputFg: .rgb(0xFF, 0xFF, 0xFF), .inputBg: .rgb(0x3A, 0x3A, 0x3A),
      .pickerSelectedFg: .rgb(0xFF, 0xFF, 0xFF), .pickerSelectedBg: .rgb(0x30, 0x5F, 0x87),
      .accentFg: .rgb(0x5F, 0xAF, 0xFF), .dimFg: .rgb(0x80, 0x80, 0x80),
      .errorFg: .rgb(0xFF, 0x5F, 0x5F), .warningFg: .rgb(0xFF, 0xAF, 0x00),
      .successFg: .rgb(0x87, 0xD7, 0x87), .pendingFg: .rgb(0x8A, 0x8A, 0x8A),
      .disabledFg: .rgb(0x6C, 0x6C, 0x6C),
    ])

  /// The compiled-in colorless theme used for NO_COLOR: highlights are backgrounds, which
  /// monochrome reduction turns into reverse video.
  public static let monochrome: Theme = {
    var colors: [ThemeRole: Color] = [:]
    for role in ThemeRole.all { colors[role] = .default }
    for role: ThemeRole in [.tensorListSelectedBg, .statusBg, .gaugeFg, .inputBg, .pickerSelectedBg] {
      colors[role] = .ansi(7)
    }
    for role: ThemeRole in [.tensorListSelectedFg, .statusFg, .inputFg, .pickerSelectedFg] {
      colors[role] = .ansi(0)
    }
    return Theme(name: "monochrome", colors: colors)
  }()
}

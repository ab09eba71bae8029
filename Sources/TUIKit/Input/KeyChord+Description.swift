extension KeyChord: CustomStringConvertible {
  /// A short human name for help screens and status hints: `q`, `S`, `Ctrl-R`, `PgUp`, `←`.
  public var description: String { label(glyphs: .unicode) }

  /// The chord's name, using arrow characters from `glyphs` (ASCII names without UTF-8).
  public func label(glyphs: Glyphs) -> String {
    var prefix = ""
    if modifiers.contains(.control) { prefix += "Ctrl-" }
    if modifiers.contains(.alt) { prefix += "Alt-" }
    if modifiers.contains(.shift) { prefix += "Shift-" }
    let name: String
    switch key {
    case .char(" "): name = "Space"
    case .char(let c): name = modifiers.contains(.control) ? c.uppercased() : String(c)
    case .up: name = glyphs.isUnicode ? String(glyphs.arrowUp) : "Up"
    case .down: name = glyphs.isUnicode ? String(glyphs.arrowDown) : "Down"
    case .left: name = glyphs.isUnicode ? String(glyphs.arrowLeft) : "Left"
    case .right: name = glyphs.isUnicode ? String(glyphs.arrowRight) : "Right"
    case .pageUp: name = "PgUp"
    case .pageDown: name = "PgDn"
    case .home: name = "Home"
    case .end: name = "End"
    case .tab: name = "Tab"
    case .backTab: name = "Shift-Tab"
    case .enter: name = "Enter"
    case .escape: name = "Esc"
    case .backspace: name = "Backspace"
    case .delete: name = "Del"
    case .insert: name = "Ins"
    case .function(let n): name = "F\(n)"
    }
    return prefix + name
  }

  /// Parses a chord as written in keymap files: `q`, `S`, `ctrl+r`, `C-r`, `alt+x`, `pgup`,
  /// `page_down`, `home`, `tab`, `backtab`, `enter`, `esc`, `space`, `f5`, `up`, `left`.
  ///
  /// - Returns: `nil` when the text names no key.
  public init?(parsing text: String) {
    var rest = Substring(text.trimmingWhitespace())
    var modifiers: Modifiers = []
    while true {
      let lower = rest.lowercased()
      if let n = ["ctrl+", "ctrl-", "c-", "control+"].first(where: { lower.hasPrefix($0) && rest.count > $0.count }) {
        modifiers.insert(.control)
        rest = rest.dropFirst(n.count)
      } else if let n = ["alt+", "alt-", "m-", "meta+"].first(where: { lower.hasPrefix($0) && rest.count > $0.count }) {
        modifiers.insert(.alt)
        rest = rest.dropFirst(n.count)
      } else if let n = ["shift+", "shift-", "s-"].first(where: { lower.hasPrefix($0) && rest.count > $0.count }) {
        modifiers.insert(.shift)
        rest = rest.dropFirst(n.count)
      } else {
        break
      }
    }
    if rest.count == 1, let c = rest.first {
      self.init(.char(modifiers.contains(.control) ? Character(c.lowercased()) : c), modifiers)
      return
    }
    let named: [String: Key] = [
      "up": .up, "down": .down, "left": .left, "right": .right, "pgup": .pageUp,
      "pageup": .pageUp, "page_up": .pageUp, "pgdn": .pageDown, "pagedown": .pageDown,
      "page_down": .pageDown, "home": .home, "end": .end, "tab": .tab, "backtab": .backTab,
      "enter": .enter, "return": .enter, "esc": .escape, "escape": .escape,
      "backspace": .backspace, "delete": .delete, "del": .delete, "insert": .insert,
      "space": .char(" "),
    ]
    let lower = rest.lowercased()
    if let key = named[lower] {
      self.init(key, modifiers)
      return
    }
    if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...63).contains(n) {
      self.init(.function(n), modifiers)
      return
    }
    return nil
  }
}

import TUIKit

/// Where keys are looked up; overlays have their own contexts and hide the panes' keys.
public enum KeyContext: String, CaseIterable, Hashable, Sendable {
  case global, list, detail, overlay, textInput, frontier
}

/// One entry of a keymap: the chords that run a command.
public struct KeyBinding: Hashable, Sendable {
  public var chords: [KeyChord]
  public var command: Command
  public init(_ command: Command, _ chords: [KeyChord]) { self.chords = chords; self.command = command }
}

/// Key tables per context. The help overlay is generated from these tables, so it cannot drift.
public struct Keymap: Sendable {
  public var contexts: [KeyContext: [KeyBinding]]

  public init(contexts: [KeyContext: [KeyBinding]]) { self.contexts = contexts }

  /// The command bound to `chord` in `context` (then in `global`, except for text input).
  public func command(for chord: KeyChord, in context: KeyContext) -> Command? {
    var order = [context]
    if context == .list || context == .detail { order.append(.global) }
    for name in order {
      for binding in contexts[name] ?? [] where binding.chords.contains(chord) { return binding.command }
    }
    return nil
  }

  /// The help overlay's sections: title, then (keys, description) lines.
  public func helpSections(glyphs: Glyphs = .unicode) -> [(title: String, entries: [(keys: String, summary: String)])] {
    let titles: [(KeyContext, String)] = [
      (.list, "Layer list"), (.detail, "Detail pane"), (.global, "Everywhere"), (.overlay, "Dialogs and lists"),
      (.frontier, "Frontier"),
    ]
    return titles.compactMap { context, title in
      guard let bindings = contexts[context], !bindings.isEmpty else { return nil }
      let entries = bindings.map { binding in
        (keys: binding.chords.map { $0.label(glyphs: glyphs) }.joined(separator: " "), summary: binding.command.summary)
      }
      return (title, entries)
    }
  }

  /// The built-in keymap.
  public static let standard = Keymap(contexts: [
    .list: [
      KeyBinding(.moveUp, [KeyChord(.up), .char("k")]),
      KeyBinding(.moveDown, [KeyChord(.down), .char("j")]),
      KeyBinding(.pageUp, [KeyChord(.pageUp)]),
      KeyBinding(.pageDown, [KeyChord(.pageDown)]),
      KeyBinding(.home, [KeyChord(.home), .char("g")]),
      KeyBinding(.end, [KeyChord(.end), .char("G")]),
      KeyBinding(.open, [KeyChord(.enter)]),
      KeyBinding(.nextScheme, [KeyChord(.right), .char("l"), .char("s")]),
      KeyBinding(.previousScheme, [KeyChord(.left), .char("h")]),
      KeyBinding(.pickScheme, [.char("S")]),
      KeyBinding(.applyToMatching, [.char("a")]),
      KeyBinding(.toggleFold, [.char(" ")]),
      KeyBinding(.filter, [.char("/")]),
      KeyBinding(.sortNext, [.char("c")]),
      KeyBinding(.sortReverse, [.char("C")]),
      KeyBinding(.sortSensitivity, [.char("r")]),
      KeyBinding(.jumpWorst, [.char("e")]),
      KeyBinding(.jumpLargest, [.char("b")]),
      KeyBinding(.pin, [.char("P")]),
      KeyBinding(.back, [KeyChord(.escape)]),
    ],
    .detail: [
      KeyBinding(.moveUp, [KeyChord(.up), .char("k")]),
      KeyBinding(.moveDown, [KeyChord(.down), .char("j")]),
      KeyBinding(.nextScheme, [KeyChord(.right), .char("l"), .char("s")]),
      KeyBinding(.previousScheme, [KeyChord(.left), .char("h")]),
      KeyBinding(.pickScheme, [.char("S")]),
      KeyBinding(.toggleDefinitions, [.char("d")]),
      KeyBinding(.back, [KeyChord(.escape)]),
    ],
    .global: [
      KeyBinding(.focusNext, [KeyChord(.tab), KeyChord(.backTab)]),
      KeyBinding(.undo, [.char("u")]),
      KeyBinding(.redo, [.ctrl("r")]),
      KeyBinding(.save, [.char("w")]),
      KeyBinding(.savePlan, [.char("p")]),
      KeyBinding(.loadPlan, [.char("o")]),
      KeyBinding(.cycleTheme, [.char("t")]),
      KeyBinding(.info, [.char("i")]),
      KeyBinding(.frontier, [.char("f")]),
      KeyBinding(.autoBudget, [.char("A")]),
      KeyBinding(.help, [.char("?"), KeyChord(.function(1))]),
      KeyBinding(.quit, [.char("q")]),
    ],
    .overlay: [
      KeyBinding(.moveUp, [KeyChord(.up), .char("k")]),
      KeyBinding(.moveDown, [KeyChord(.down), .char("j")]),
      KeyBinding(.pageUp, [KeyChord(.pageUp)]),
      KeyBinding(.pageDown, [KeyChord(.pageDown)]),
      KeyBinding(.confirm, [KeyChord(.enter)]),
      KeyBinding(.cancel, [KeyChord(.escape), .char("q")]),
    ],
    .frontier: [
      KeyBinding(.previousPoint, [KeyChord(.left), .char("h")]),
      KeyBinding(.nextPoint, [KeyChord(.right), .char("l")]),
      KeyBinding(.pageUp, [KeyChord(.pageUp)]),
      KeyBinding(.pageDown, [KeyChord(.pageDown)]),
      KeyBinding(.home, [KeyChord(.home)]),
      KeyBinding(.end, [KeyChord(.end)]),
      KeyBinding(.confirm, [KeyChord(.enter)]),
      KeyBinding(.cancel, [KeyChord(.escape), .char("q"), .char("f")]),
    ],
    .textInput: [
      KeyBinding(.confirm, [KeyChord(.enter)]),
      KeyBinding(.cancel, [KeyChord(.escape)]),
    ],
  ])
}

/// A key, independent of modifiers.
public enum Key: Hashable, Sendable {
  /// A printable character (letters keep their case: `S` is shift+s).
  case char(Character)
  case up, down, left, right
  case pageUp, pageDown, home, end
  case tab, backTab, enter, escape, backspace, delete, insert
  /// Function key F1…F63.
  case function(Int)
}

/// Modifier keys held with a key.
public struct Modifiers: OptionSet, Hashable, Sendable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  public static let control = Modifiers(rawValue: 1)
  public static let alt = Modifiers(rawValue: 2)
  public static let shift = Modifiers(rawValue: 4)
}

/// A key together with its modifiers: what a keymap binds to an action.
///
/// Printable characters carry shift in their case, so `S` is `KeyChord(.char("S"))`; control
/// characters are lower-case letters with `.control` (`Ctrl-R` is `KeyChord(.char("r"), [.control])`).
public struct KeyChord: Hashable, Sendable {
  public var key: Key
  public var modifiers: Modifiers

  public init(_ key: Key, _ modifiers: Modifiers = []) {
    self.key = key
    self.modifiers = modifiers
  }

  /// A plain character key.
  public static func char(_ character: Character) -> KeyChord { KeyChord(.char(character)) }
  /// A control-letter chord such as Ctrl-R.
  public static func ctrl(_ character: Character) -> KeyChord {
    KeyChord(.char(Character(character.lowercased())), .control)
  }
}

/// A mouse button or wheel action.
public enum MouseAction: Hashable, Sendable {
  case press(MouseButton)
  case release(MouseButton)
  case click(MouseButton)
  case wheelUp
  case wheelDown
}

/// A mouse button.
public enum MouseButton: Int, Hashable, Sendable {
  case left = 1, middle = 2, right = 3
}

/// A mouse action at a cell.
public struct MouseEvent: Hashable, Sendable {
  public var action: MouseAction
  public var position: Point

  public init(_ action: MouseAction, at position: Point) {
    self.action = action
    self.position = position
  }
}

/// A process signal delivered to the app as an event so it can save before quitting.
public enum TerminalSignal: Hashable, Sendable, CustomStringConvertible {
  /// SIGINT (Ctrl-C).
  case interrupt
  /// SIGTERM.
  case terminate
  /// SIGHUP: the SSH connection or terminal went away.
  case hangup

  public var description: String {
    switch self {
    case .interrupt: "SIGINT"
    case .terminate: "SIGTERM"
    case .hangup: "SIGHUP"
    }
  }
}

/// Anything the backend can report to the app.
public enum InputEvent: Hashable, Sendable {
  case key(KeyChord)
  case mouse(MouseEvent)
  /// The terminal now has this size.
  case resize(Size)
  case signal(TerminalSignal)
}

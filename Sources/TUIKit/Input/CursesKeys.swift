/// Decoding of what curses' `get_wch` returns into input events, as a pure function.
///
/// The codes are ncurses' ABI values from `<curses.h>` (`KEY_DOWN` is 0402 octal and so on).
/// They live here, not in CursesBackend, so the table is unit-tested without a terminal; the
/// CNcurses shim header `_Static_assert`s that the system header agrees with every value.
public enum CursesKeys {
  /// ncurses key codes (octal in `<curses.h>`).
  public enum Code {
    public static let down: UInt32 = 0o402
    public static let up: UInt32 = 0o403
    public static let left: UInt32 = 0o404
    public static let right: UInt32 = 0o405
    public static let home: UInt32 = 0o406
    public static let backspace: UInt32 = 0o407
    public static let f0: UInt32 = 0o410
    public static let deleteChar: UInt32 = 0o512
    public static let insertChar: UInt32 = 0o513
    public static let scrollForward: UInt32 = 0o520
    public static let scrollBackward: UInt32 = 0o521
    public static let nextPage: UInt32 = 0o522
    public static let previousPage: UInt32 = 0o523
    public static let enter: UInt32 = 0o527
    public static let keypadA1: UInt32 = 0o534
    public static let keypadA3: UInt32 = 0o535
    public static let keypadC1: UInt32 = 0o537
    public static let keypadC3: UInt32 = 0o540
    public static let backTab: UInt32 = 0o541
    public static let end: UInt32 = 0o550
    public static let shiftDelete: UInt32 = 0o577
    public static let shiftEnd: UInt32 = 0o602
    public static let shiftHome: UInt32 = 0o607
    public static let shiftLeft: UInt32 = 0o611
    public static let shiftRight: UInt32 = 0o622
    public static let mouse: UInt32 = 0o631
    public static let resize: UInt32 = 0o632
  }

  /// What one `get_wch` result means.
  public enum Decoded: Hashable, Sendable {
    /// A complete event.
    case event(InputEvent)
    /// `KEY_RESIZE`: the backend should read the new size.
    case resize
    /// `KEY_MOUSE`: the backend should call `getmouse`.
    case mouse
    /// ESC: possibly the start of an Alt chord; the backend peeks at the next character.
    case escape
    /// Nothing the app cares about (unknown key codes, stray NUL).
    case ignored
  }

  /// Decodes a `get_wch` result.
  ///
  /// - Parameters:
  ///   - code: The value stored by `get_wch`.
  ///   - isKeyCode: `true` when `get_wch` returned `KEY_CODE_YES` (a function key),
  ///     `false` for a character (`OK`).
  public static func decode(_ code: UInt32, isKeyCode: Bool) -> Decoded {
    if isKeyCode { return decodeKeyCode(code) }
    switch code {
    case 0x1B: return .escape
    case 0x09: return .event(.key(KeyChord(.tab)))
    case 0x0A, 0x0D: return .event(.key(KeyChord(.enter)))
    case 0x08, 0x7F: return .event(.key(KeyChord(.backspace)))
    case 0x00: return .event(.key(KeyChord(.char(" "), .control)))
    case 0x01...0x1A:
      guard let scalar = Unicode.Scalar(code + 0x60) else { return .ignored }
      return .event(.key(KeyChord(.char(Character(scalar)), .control)))
    case 0x1C...0x1F: return .ignored
    default:
      guard let scalar = Unicode.Scalar(code), !(0x80..<0xA0).contains(code) else { return .ignored }
      return .event(.key(KeyChord(.char(Character(scalar)))))
    }
  }

  /// The chord for an Alt combination: ESC followed by `code` (a character, not a key code).
  public static func altChord(following code: UInt32) -> KeyChord? {
    guard case .event(.key(var chord)) = decode(code, isKeyCode: false) else { return nil }
    chord.modifiers.insert(.alt)
    return chord
  }

  static func decodeKeyCode(_ code: UInt32) -> Decoded {
    let key: KeyChord
    switch code {
    case Code.resize: return .resize
    case Code.mouse: return .mouse
    case Code.up, Code.scrollBackward: key = KeyChord(.up, code == Code.up ? [] : .shift)
    case Code.down, Code.scrollForward: key = KeyChord(.down, code == Code.down ? [] : .shift)
    case Code.left: key = KeyChord(.left)
    case Code.right: key = KeyChord(.right)
    case Code.shiftLeft: key = KeyChord(.left, .shift)
    case Code.shiftRight: key = KeyChord(.right, .shift)
    case Code.home, Code.keypadA1: key = KeyChord(.home)
    case Code.end, Code.keypadC1: key = KeyChord(.end)
    case Code.shiftHome: key = KeyChord(.home, .shift)
    case Code.shiftEnd: key = KeyChord(.end, .shift)
    case Code.previousPage, Code.keypadA3: key = KeyChord(.pageUp)
    case Code.nextPage, Code.keypadC3: key = KeyChord(.pageDown)
    case Code.backspace: key = KeyChord(.backspace)
    case Code.deleteChar: key = KeyChord(.delete)
    case Code.shiftDelete: key = KeyChord(.delete, .shift)
    case Code.insertChar: key = KeyChord(.insert)
    case Code.enter: key = KeyChord(.enter)
    case Code.backTab: key = KeyChord(.backTab)
    case (Code.f0 + 1)...(Code.f0 + 63): key = KeyChord(.function(Int(code - Code.f0)))
    default: return .ignored
    }
    return .event(.key(key))
  }

  /// The meaning of a curses mouse report, already classified by the shim
  /// (`cncurses_mouse_kind`): 1–3 press of button 1–3, 4–6 release, 7–9 click,
  /// 10 wheel up, 11 wheel down, anything else ignored.
  public static func mouseEvent(kind: Int32, x: Int32, y: Int32) -> InputEvent? {
    let position = Point(x: Int(x), y: Int(y))
    let action: MouseAction
    switch kind {
    case 1...3: action = .press(MouseButton(rawValue: Int(kind)) ?? .left)
    case 4...6: action = .release(MouseButton(rawValue: Int(kind) - 3) ?? .left)
    case 7...9: action = .click(MouseButton(rawValue: Int(kind) - 6) ?? .left)
    case 10: action = .wheelUp
    case 11: action = .wheelDown
    default: return nil
    }
    return .mouse(MouseEvent(action, at: position))
  }
}

import Testing
@testable import TUIKit

@Suite("Key decoding")
struct KeyDecodingTests {
  static let characterCases: [(UInt32, KeyChord)] = [
    (0x71, .char("q")), (0x53, .char("S")), (0x3F, .char("?")), (0x20, .char(" ")),
    (0x09, KeyChord(.tab)), (0x0D, KeyChord(.enter)), (0x0A, KeyChord(.enter)),
    (0x7F, KeyChord(.backspace)), (0x08, KeyChord(.backspace)), (0x12, .ctrl("r")),
    (0x01, .ctrl("a")), (0x1A, .ctrl("z")), (0x65E5, .char("日")),
  ]

  @Test("characters from get_wch", arguments: characterCases)
  func characters(code: UInt32, chord: KeyChord) {
    #expect(CursesKeys.decode(code, isKeyCode: false) == .event(.key(chord)))
  }

  static let keyCodeCases: [(UInt32, KeyChord)] = [
    (CursesKeys.Code.up, KeyChord(.up)), (CursesKeys.Code.down, KeyChord(.down)),
    (CursesKeys.Code.left, KeyChord(.left)), (CursesKeys.Code.right, KeyChord(.right)),
    (CursesKeys.Code.previousPage, KeyChord(.pageUp)), (CursesKeys.Code.nextPage, KeyChord(.pageDown)),
    (CursesKeys.Code.home, KeyChord(.home)), (CursesKeys.Code.end, KeyChord(.end)),
    (CursesKeys.Code.backTab, KeyChord(.backTab)), (CursesKeys.Code.enter, KeyChord(.enter)),
    (CursesKeys.Code.backspace, KeyChord(.backspace)), (CursesKeys.Code.deleteChar, KeyChord(.delete)),
    (CursesKeys.Code.f0 + 1, KeyChord(.function(1))), (CursesKeys.Code.f0 + 12, KeyChord(.function(12))),
    (CursesKeys.Code.shiftLeft, KeyChord(.left, .shift)), (CursesKeys.Code.scrollForward, KeyChord(.down, .shift)),
  ]

  @Test("curses key codes", arguments: keyCodeCases)
  func keyCodes(code: UInt32, chord: KeyChord) {
    #expect(CursesKeys.decode(code, isKeyCode: true) == .event(.key(chord)))
  }

  @Test("the numeric values match ncurses' octal constants")
  func ncursesValues() {
    #expect(CursesKeys.Code.down == 258)
    #expect(CursesKeys.Code.resize == 410)
    #expect(CursesKeys.Code.mouse == 409)
    #expect(CursesKeys.Code.end == 360)
  }

  @Test("resize, mouse, escape and unknown codes")
  func specialCodes() {
    #expect(CursesKeys.decode(CursesKeys.Code.resize, isKeyCode: true) == .resize)
    #expect(CursesKeys.decode(CursesKeys.Code.mouse, isKeyCode: true) == .mouse)
    #expect(CursesKeys.decode(0x1B, isKeyCode: false) == .escape)
    #expect(CursesKeys.decode(0o777, isKeyCode: true) == .ignored)
    #expect(CursesKeys.decode(0x9B, isKeyCode: false) == .ignored)
    #expect(CursesKeys.decode(0xD800, isKeyCode: false) == .ignored)
    // The same number means different things as a key code and as a character.
    #expect(CursesKeys.decode(0o403, isKeyCode: false) == .event(.key(.char("ă"))))
  }

  @Test("Alt chords and mouse reports")
  func altAndMouse() {
    #expect(CursesKeys.altChord(following: 0x78) == KeyChord(.char("x"), .alt))
    #expect(CursesKeys.altChord(following: 0x1B) == nil)
    #expect(CursesKeys.mouseEvent(kind: 1, x: 4, y: 7) == .mouse(MouseEvent(.press(.left), at: Point(x: 4, y: 7))))
    #expect(CursesKeys.mouseEvent(kind: 10, x: 0, y: 0) == .mouse(MouseEvent(.wheelUp, at: Point(x: 0, y: 0))))
    #expect(CursesKeys.mouseEvent(kind: 11, x: 1, y: 2) == .mouse(MouseEvent(.wheelDown, at: Point(x: 1, y: 2))))
    #expect(CursesKeys.mouseEvent(kind: 6, x: 0, y: 0) == .mouse(MouseEvent(.release(.right), at: Point(x: 0, y: 0))))
    #expect(CursesKeys.mouseEvent(kind: 0, x: 0, y: 0) == nil)
  }

  @Test("chords print for help and parse from keymap files")
  func chordNames() {
    #expect(KeyChord.ctrl("r").description == "Ctrl-R")
    #expect(KeyChord(.pageDown).description == "PgDn")
    #expect(KeyChord(.left).label(glyphs: .ascii) == "Left")
    #expect(KeyChord(.left).description == "←")
    #expect(KeyChord(.char(" ")).description == "Space")
    #expect(KeyChord(parsing: "ctrl+r") == .ctrl("r"))
    #expect(KeyChord(parsing: "C-R") == .ctrl("r"))
    #expect(KeyChord(parsing: "S") == .char("S"))
    #expect(KeyChord(parsing: "pgup") == KeyChord(.pageUp))
    #expect(KeyChord(parsing: "alt+x") == KeyChord(.char("x"), .alt))
    #expect(KeyChord(parsing: "f5") == KeyChord(.function(5)))
    #expect(KeyChord(parsing: "-") == .char("-"))
    #expect(KeyChord(parsing: "nonsense") == nil)
  }

  @Test("text input editing keys")
  func textInput() {
    var input = TextInputState("model.gguf")
    #expect(input.cursor == 10)
    input.handle(KeyChord(.home))
    input.handle(.char("q"))
    input.handle(.char("_"))
    #expect(input.text == "q_model.gguf")
    input.handle(KeyChord(.end))
    input.handle(KeyChord(.backspace))
    input.handle(KeyChord(.left))
    input.handle(KeyChord(.delete))
    #expect(input.text == "q_model.gg")
    #expect(input.cursor == 10)
    #expect(input.handle(KeyChord(.enter)) == false)
    input.handle(KeyChord(.left))
    input.handle(KeyChord(.left))
    input.handle(.ctrl("u"))
    #expect(input.text == "gg")
    #expect(input.cursor == 0)
    input.insert("\u{1B}")
    #expect(input.text == "gg")
  }
}

import Testing
@testable import TUIKit

@Suite("Diff")
struct DiffTests {
  @Test("identical buffers produce no runs")
  func identical() {
    var a = ScreenBuffer(width: 10, height: 3)
    a.write("hello", at: Point(x: 1, y: 1), style: Style())
    #expect(a.diff(from: a).isEmpty)
  }

  @Test("changed cells come out as runs per row")
  func runs() {
    let old = ScreenBuffer(width: 10, height: 2)
    var new = old
    new.write("ab", at: Point(x: 2, y: 0), style: Style())
    new.write("z", at: Point(x: 9, y: 1), style: Style())
    let runs = new.diff(from: old)
    #expect(runs.count == 2)
    #expect(runs[0].origin == Point(x: 2, y: 0))
    #expect(String(runs[0].cells.map(\.character)) == "ab")
    #expect(runs[1].origin == Point(x: 9, y: 1))
  }

  @Test("a style change alone is a change")
  func styleChange() {
    var old = ScreenBuffer(width: 4, height: 1)
    old.write("abcd", at: Point(x: 0, y: 0), style: Style())
    var new = old
    new.setStyle(Style(bold: true), x: 1, y: 0)
    #expect(new.diff(from: old) == [CellRun(origin: Point(x: 1, y: 0), cells: [new[x: 1, y: 0]])])
  }

  @Test("a run that starts on a continuation cell includes the wide character")
  func wideRun() {
    var old = ScreenBuffer(width: 6, height: 1)
    old.write("日", at: Point(x: 0, y: 0), style: Style())
    var new = old
    new.write("日", at: Point(x: 0, y: 0), style: Style(bold: true))
    let runs = new.diff(from: old)
    #expect(runs.count == 1)
    #expect(runs[0].origin.x == 0)
    #expect(runs[0].cells.count == 2)
  }

  @Test("a size change repaints every cell")
  func resized() {
    let old = ScreenBuffer(width: 3, height: 1)
    let new = ScreenBuffer(width: 4, height: 2)
    #expect(new.diff(from: old).reduce(0) { $0 + $1.cells.count } == 8)
  }

  @Test("the Terminal loop sends only changes and reduces styles to the backend's depth")
  func terminalLoop() throws {
    let screen = VirtualScreen(width: 10, height: 2, capabilities: TerminalCapabilities(colorDepth: .ansi16, unicode: true))
    var terminal = Terminal(backend: screen)
    try terminal.draw { buffer, _ in buffer.write("hello", at: Point(x: 0, y: 0), style: Style(fg: .rgb(255, 0, 0))) }
    #expect(terminal.lastChangedCells == 20)
    #expect(screen.lines == ["hello     ", "          "])
    #expect(screen.style(at: Point(x: 0, y: 0)).fg == .ansi(9))
    try terminal.draw { buffer, _ in buffer.write("help", at: Point(x: 0, y: 0), style: Style(fg: .rgb(255, 0, 0))) }
    #expect(terminal.lastChangedCells == 2)
    #expect(screen.lines[0] == "help      ")
    #expect(screen.flushCount == 2)
    screen.resize(to: Size(width: 4, height: 1))
    #expect(try screen.readEvent(timeoutMilliseconds: 0) == .resize(Size(width: 4, height: 1)))
    try terminal.draw { buffer, _ in buffer.write("abcdef", at: Point(x: 0, y: 0), style: Style()) }
    #expect(screen.lines == ["abcd"])
  }

  @Test("NO_COLOR's monochrome limit turns background highlights into reverse video")
  func monochromeLimit() throws {
    let screen = VirtualScreen(width: 3, height: 1)
    var terminal = Terminal(backend: screen, colorDepthLimit: .monochrome)
    try terminal.draw { buffer, _ in buffer.write("sel", at: Point(x: 0, y: 0), style: Style(fg: .ansi(0), bg: .ansi(7))) }
    #expect(screen.style(at: Point(x: 0, y: 0)) == Style(reverse: true))
  }
}

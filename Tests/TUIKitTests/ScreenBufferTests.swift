import Testing
@testable import TUIKit

@Suite("ScreenBuffer")
struct ScreenBufferTests {
  @Test("writing text is clipped to the clip rectangle and the buffer")
  func clipping() {
    var buffer = ScreenBuffer(width: 8, height: 2)
    let advanced = buffer.write("hello world", at: Point(x: 2, y: 0), style: Style(), clip: Rect(x: 0, y: 0, width: 6, height: 1))
    #expect(advanced == 4)
    #expect(buffer.lines == ["  hell  ", "        "])
    buffer.write("xyz", at: Point(x: -1, y: 1), style: Style())
    #expect(buffer.lines[1] == "yz      ")
    buffer.write("ignored", at: Point(x: 0, y: 5), style: Style())
    #expect(buffer.lines == ["  hell  ", "yz      "])
  }

  @Test("wide characters take two cells and never straddle the clip edge")
  func wideCharacters() {
    var buffer = ScreenBuffer(width: 5, height: 1)
    let advanced = buffer.write("日本語", at: Point(x: 0, y: 0), style: Style())
    #expect(advanced == 5)
    #expect(buffer.lines == ["日本 "])
    #expect(buffer[x: 1, y: 0].isContinuation)
    #expect(buffer[x: 4, y: 0].character == " ")
    #expect(!buffer[x: 4, y: 0].isContinuation)
  }

  @Test("overwriting half of a wide character blanks the other half")
  func overwriteWideHalf() {
    var buffer = ScreenBuffer(width: 4, height: 1)
    buffer.write("日本", at: Point(x: 0, y: 0), style: Style())
    buffer.write("a", at: Point(x: 1, y: 0), style: Style())
    #expect(buffer.lines == [" a本"])
    buffer.write("b", at: Point(x: 2, y: 0), style: Style())
    #expect(buffer.lines == [" ab "])
    #expect(!buffer[x: 3, y: 0].isContinuation)
  }

  @Test("control characters are shown as ? and zero-width marks are dropped")
  func controlCharacters() {
    var buffer = ScreenBuffer(width: 6, height: 1)
    buffer.write("a\u{1B}[2Jb", at: Point(x: 0, y: 0), style: Style())
    #expect(buffer.lines == ["a?[2Jb"])
    var marks = ScreenBuffer(width: 3, height: 1)
    marks.write("\u{200B}x", at: Point(x: 0, y: 0), style: Style())
    #expect(marks.lines == ["x  "])
  }

  @Test("fill and box drawing stay inside the buffer")
  func fillAndBox() {
    var buffer = ScreenBuffer(width: 5, height: 3)
    buffer.fill(Rect(x: 3, y: 1, width: 10, height: 10), with: Cell("#"))
    #expect(buffer.lines == ["     ", "   ##", "   ##"])
    buffer.drawBox(buffer.bounds, glyphs: .ascii, style: Style())
    #expect(buffer.lines == ["+---+", "|  #|", "+---+"])
  }

  @Test("reads and writes outside the buffer never trap", arguments: [(0, 0), (1, 1), (0, 3), (3, 0)])
  func tinyBuffers(width: Int, height: Int) {
    var buffer = ScreenBuffer(width: width, height: height)
    buffer.write("日本語 text", at: Point(x: 0, y: 0), style: Style())
    buffer.set(Cell("x"), x: -1, y: -1)
    buffer.set(Cell("x"), x: width, y: height)
    buffer.fill(Rect(x: -5, y: -5, width: 20, height: 20), with: Cell("."))
    buffer.drawBox(Rect(x: 0, y: 0, width: width, height: height), glyphs: .unicode, style: Style())
    #expect(buffer[x: 99, y: 99] == .blank)
    #expect(buffer.lines.count == height)
  }

  @Test("character widths: ASCII 1, CJK and emoji 2, combining and controls 0")
  func widths() {
    #expect(CharWidth.width(of: Character("a")) == 1)
    #expect(CharWidth.width(of: Character("日")) == 2)
    #expect(CharWidth.width(of: Character("🙂")) == 2)
    #expect(CharWidth.width(of: Character("é")) == 1)
    #expect(CharWidth.width(of: Character("\u{0301}")) == 0)
    #expect(CharWidth.width(of: Character("\u{07}")) == 0)
    #expect(CharWidth.width(of: Character("─")) == 1)
    #expect(CharWidth.width(of: "a日🙂") == 5)
  }

  @Test("text wrapping breaks at spaces and inside over-long words")
  func wrapping() {
    #expect(TextWrap.wrap("the quick brown fox", width: 9) == ["the quick", "brown fox"])
    #expect(TextWrap.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
    #expect(TextWrap.wrap("a\nb", width: 4) == ["a", "b"])
    #expect(TextWrap.wrap("anything", width: 0).isEmpty)
    #expect(TextWrap.truncate("abcdef", width: 4) == "abc…")
    #expect(TextWrap.truncate("abc", width: 4) == "abc")
    #expect(TextWrap.fit("ab", width: 5, alignment: .right) == "   ab")
  }
}

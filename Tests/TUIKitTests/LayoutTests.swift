import Testing
@testable import TUIKit

@Suite("Rect and layout")
struct LayoutTests {
  @Test("fixed, percent and fill parts tile the rectangle")
  func split() {
    let parts = Rect(x: 0, y: 0, width: 100, height: 10).split(.horizontal, [.fixed(20), .percent(30), .fill(1), .fill(1)])
    #expect(parts.map(\.width) == [20, 30, 25, 25])
    #expect(parts.map(\.x) == [0, 20, 50, 75])
  }

  @Test("fill weights share the rest and leftovers go to the last fill")
  func weights() {
    let parts = Rect(x: 0, y: 5, width: 4, height: 10).split(.vertical, [.fill(1), .fill(2)])
    #expect(parts.map(\.height) == [3, 7])
    #expect(parts.map(\.y) == [5, 8])
  }

  @Test("parts shrink when fixed sizes exceed the space, never going negative")
  func overflow() {
    let parts = Rect(x: 0, y: 0, width: 5, height: 1).split(.horizontal, [.fixed(4), .fixed(4), .fill(1)])
    #expect(parts.map(\.width) == [4, 1, 0])
    #expect(Rect.zero.split(.vertical, [.fixed(3), .fill(1)]).allSatisfy { $0.isEmpty })
  }

  @Test("inset, centre and intersection")
  func geometry() {
    let r = Rect(x: 2, y: 2, width: 10, height: 6)
    #expect(r.inset(by: 1) == Rect(x: 3, y: 3, width: 8, height: 4))
    #expect(r.inset(by: 10).isEmpty)
    #expect(r.centered(width: 4, height: 2) == Rect(x: 5, y: 4, width: 4, height: 2))
    #expect(r.centered(width: 40, height: 40) == r)
    #expect(r.intersection(Rect(x: 10, y: 0, width: 10, height: 3)) == Rect(x: 10, y: 2, width: 2, height: 1))
    #expect(r.intersection(Rect(x: 50, y: 50, width: 1, height: 1)).isEmpty)
  }

  @Test("a too-small terminal shows a clear message instead of the UI")
  func minimumSize() {
    var buffer = ScreenBuffer(width: 60, height: 5)
    #expect(MinimumSize().renderMessageIfNeeded(into: &buffer))
    #expect(buffer.lines[2].contains("Terminal too small: need 80×24, have 60×5"))
    var big = ScreenBuffer(width: 80, height: 24)
    #expect(!MinimumSize().renderMessageIfNeeded(into: &big))
    var ascii = ScreenBuffer(width: 20, height: 4)
    MinimumSize().renderMessageIfNeeded(into: &ascii, glyphs: .ascii)
    #expect(ascii.lines.joined(separator: " ").contains("80x24"))
    var tiny = ScreenBuffer(width: 1, height: 1)
    #expect(MinimumSize().renderMessageIfNeeded(into: &tiny))
  }

  @Test("scrolling keeps the selection visible with minimal movement")
  func scrolling() {
    #expect(Scrolling.offset(keeping: 15, visible: 10, current: 0, count: 100) == 6)
    #expect(Scrolling.offset(keeping: 3, visible: 10, current: 6, count: 100) == 3)
    #expect(Scrolling.offset(keeping: 5, visible: 10, current: 2, count: 100) == 2)
    #expect(Scrolling.offset(keeping: nil, visible: 10, current: 95, count: 100) == 90)
    #expect(Scrolling.offset(keeping: 0, visible: 0, current: 5, count: 100) == 0)
  }
}

import Testing
@testable import TUIKit

@Suite("Color parsing and reduction")
struct ColorTests {
  @Test("theme values parse", arguments: [
    ("#FF8000", Color.rgb(255, 128, 0)), ("#f80", .rgb(255, 136, 0)), ("\"#000000\"", .rgb(0, 0, 0)),
    ("0", .indexed(0)), ("255", .indexed(255)), ("red", .ansi(1)), ("brightblue", .ansi(12)),
    ("bright_blue", .ansi(12)), ("Light-Cyan", .ansi(14)), ("grey", .ansi(8)), ("white", .ansi(7)),
    ("default", .default), ("  DEFAULT ", .default),
  ])
  func parses(text: String, expected: Color) {
    #expect(Color(themeValue: text) == expected)
  }

  @Test("bad values are rejected", arguments: ["#12345", "#GGGGGG", "256", "-1", "purple", "", "brightpink"])
  func rejects(text: String) {
    #expect(Color(themeValue: text) == nil)
  }

  @Test("colors round-trip through theme syntax")
  func roundTrip() {
    for color in [Color.default, .ansi(3), .ansi(13), .indexed(100), .rgb(1, 2, 254)] {
      #expect(Color(themeValue: color.themeValue) == color)
    }
  }

  @Test("RGB reduces to the 256 cube or the gray ramp")
  func reduce256() {
    #expect(Color.rgb(255, 0, 0).reduced(to: .indexed256) == .indexed(196))
    #expect(Color.rgb(0, 0, 0).reduced(to: .indexed256) == .indexed(16))
    #expect(Color.rgb(128, 128, 128).reduced(to: .indexed256) == .indexed(244))
    #expect(Color.rgb(0x5F, 0x87, 0xAF).reduced(to: .indexed256) == .indexed(67))
    #expect(Color.indexed(42).reduced(to: .indexed256) == .indexed(42))
  }

  @Test("reduction to 16, 8 colors and monochrome")
  func reduceFewer() {
    #expect(Color.rgb(250, 10, 10).reduced(to: .ansi16) == .ansi(9))
    #expect(Color.rgb(250, 10, 10).reduced(to: .ansi8) == .ansi(1))
    #expect(Color.rgb(10, 10, 10).reduced(to: .ansi16) == .ansi(0))
    #expect(Color.indexed(231).reduced(to: .ansi16) == .ansi(15))
    #expect(Color.indexed(12).reduced(to: .ansi8) == .ansi(4))
    #expect(Color.ansi(14).reduced(to: .ansi8) == .ansi(6))
    #expect(Color.ansi(14).reduced(to: .monochrome) == .default)
    #expect(Color.default.reduced(to: .ansi8) == .default)
  }

  @Test("color depth from the terminal's color count")
  func depth() {
    #expect(ColorDepth(colorCount: 256) == .indexed256)
    #expect(ColorDepth(colorCount: 16777216) == .indexed256)
    #expect(ColorDepth(colorCount: 88) == .ansi16)
    #expect(ColorDepth(colorCount: 8) == .ansi8)
    #expect(ColorDepth(colorCount: 0) == .monochrome)
  }

  @Test("monochrome styles keep attributes and turn backgrounds into reverse")
  func monochromeStyle() {
    #expect(Style(fg: .ansi(1), bold: true).reduced(to: .monochrome) == Style(bold: true))
    #expect(Style(bg: .ansi(4)).reduced(to: .monochrome) == Style(reverse: true))
    #expect(Style(fg: .rgb(1, 2, 3), bg: .rgb(200, 0, 0)).reduced(to: .ansi8) == Style(fg: .ansi(0), bg: .ansi(1)))
  }

  @Test("color pairs are allocated lazily, reused, and run out cleanly")
  func pairs() {
    var table = ColorPairTable(capacity: 3)
    #expect(table.allocate(fg: -1, bg: -1) == .existing(0))
    #expect(table.allocate(fg: 1, bg: -1) == .new(1))
    #expect(table.allocate(fg: 1, bg: -1) == .existing(1))
    #expect(table.allocate(fg: 2, bg: 4) == .new(2))
    #expect(table.allocate(fg: 3, bg: 4) == .full)
    #expect(table.allocate(fg: 2, bg: 4) == .existing(2))
    #expect(table.count == 2)
  }
}

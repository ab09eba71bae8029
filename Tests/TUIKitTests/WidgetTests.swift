import Testing
@testable import TUIKit

@Suite("Widgets rendered into a VirtualScreen")
struct WidgetTests {
  @Test("Block draws a border with a truncated title")
  func block() {
    let screen = VirtualScreen(width: 12, height: 3)
    let lines = screen.render { buffer, area in
      Block(title: "Tensors and more", glyphs: .unicode).render(into: &buffer, area: area)
    }
    #expect(lines == ["┌─ Tenso… ─┐", "│          │", "└──────────┘"])
    let ascii = VirtualScreen(width: 8, height: 3).render { buffer, area in
      Block(title: "T", glyphs: .ascii).render(into: &buffer, area: area)
    }
    #expect(ascii == ["+- T --+", "|      |", "+------+"])
  }

  @Test("Table shows the header, highlights the selection and scrolls to keep it visible")
  func table() {
    let rows = (0..<10).map { ["row\($0)", "\($0 * 10)"] }
    var table = Table(columns: [TableColumn("name", width: .fill(1)), TableColumn("n", width: .fixed(3), alignment: .right)], rows: rows, selected: 7, offset: 0)
    table.selectedStyle = Style(bg: .ansi(4))
    let screen = VirtualScreen(width: 10, height: 4)
    let lines = screen.render { buffer, area in table.render(into: &buffer, area: area) }
    #expect(lines == ["name     n", "row5    50", "row6    60", "row7    70"])
    #expect(screen.style(at: Point(x: 0, y: 3)).bg == .ansi(4))
    #expect(screen.style(at: Point(x: 5, y: 3)).bg == .ansi(4))
    #expect(screen.style(at: Point(x: 0, y: 2)).bg == .default)
    #expect(table.visibleOffset(height: 4) == 5)
    #expect(table.rowIndex(atScreenRow: 1, area: Rect(x: 0, y: 0, width: 10, height: 4)) == 5)
    #expect(table.rowIndex(atScreenRow: 0, area: Rect(x: 0, y: 0, width: 10, height: 4)) == nil)
  }

  @Test("Table truncates long cells with an ellipsis")
  func tableTruncation() {
    let table = Table(columns: [TableColumn("tensor", width: .fixed(6)), TableColumn("dtype", width: .fill(1))], rows: [["blk.0.attn_q", "F32"]])
    let lines = VirtualScreen(width: 10, height: 2).render { buffer, area in table.render(into: &buffer, area: area) }
    #expect(lines == ["tensor dt…", "blk.0… F32"])
  }

  @Test("Gauge fills with eighth blocks and centres the percentage")
  func gauge() {
    let lines = VirtualScreen(width: 10, height: 1).render { buffer, area in
      Gauge(ratio: 0.55, glyphs: .unicode).render(into: &buffer, area: area)
    }
    // 55% of 10 columns is 5 full cells and a half one; the label covers cells 3–5.
    #expect(lines == ["███55%    "])
    let ascii = VirtualScreen(width: 10, height: 1).render { buffer, area in
      Gauge(ratio: 0.5, label: "", glyphs: .ascii).render(into: &buffer, area: area)
    }
    #expect(ascii == ["#####-----"])
  }

  @Test("BarHistogram draws eighth-block bars and markers above them")
  func histogram() {
    let histogram = BarHistogram(
      counts: [0, 2, 8, 4], range: 0...4,
      markers: [HistogramMarker(value: 0.5, style: Style(fg: .ansi(3))), HistogramMarker(value: 3.5, style: Style(fg: .ansi(1)))],
      barStyle: Style(fg: .ansi(4)), glyphs: .unicode)
    let screen = VirtualScreen(width: 4, height: 2)
    let lines = screen.render { buffer, area in histogram.render(into: &buffer, area: area) }
    #expect(lines == ["│ █│", "│▄██"])
    #expect(screen.style(at: Point(x: 0, y: 0)).fg == .ansi(3))
    #expect(screen.style(at: Point(x: 3, y: 1)).fg == .ansi(1))
    #expect(screen.style(at: Point(x: 2, y: 1)).fg == .ansi(4))
    let ascii = VirtualScreen(width: 4, height: 2).render { buffer, area in
      BarHistogram(counts: [0, 2, 8, 4], range: 0...4, glyphs: .ascii).render(into: &buffer, area: area)
    }
    #expect(ascii == ["  # ", " .##"])
  }

  @Test("BarHistogram resamples bins to the width and ignores markers outside the range")
  func histogramResample() {
    let histogram = BarHistogram(counts: [1, 1, 1, 1, 9, 9, 9, 9], range: -1...1, markers: [HistogramMarker(value: 5, style: Style())])
    #expect(histogram.columns(width: 4) == [1, 1, 9, 9])
    #expect(histogram.columns(width: 16).count == 16)
    #expect(histogram.column(for: 5, width: 4) == nil)
    #expect(histogram.column(for: 1, width: 4) == 3)
    #expect(histogram.column(for: -1, width: 4) == 0)
  }

  @Test("RangeStrip fills each channel from its minimum to its maximum")
  func rangeStrip() {
    let strip = RangeStrip(channels: [(-1, 1), (0, 0.5), (-0.2, 0.1)], range: -1...1, glyphs: .ascii)
    let lines = VirtualScreen(width: 3, height: 4).render { buffer, area in strip.render(into: &buffer, area: area) }
    #expect(lines == ["## ", "###", "# #", "#  "])
    let merged = RangeStrip(channels: [(-1, 0), (0, 1), (2, 3), (4, 5)])
    #expect(merged.columns(width: 2).map { $0.map { [$0.min, $0.max] } } == [[-1, 1], [2, 5]])
  }

  @Test("BrailleCanvas sets the right dots, and falls back to * in ASCII")
  func braille() {
    let canvas = BrailleCanvas(xRange: 0...3, yRange: 0...3, shapes: [.points([(0, 3), (3, 0)], Style())], glyphs: .unicode)
    let lines = VirtualScreen(width: 2, height: 1).render { buffer, area in canvas.render(into: &buffer, area: area) }
    // (0, 3) is the top-left dot of the first cell (bit 0x01); (3, 0) the bottom-right of the second (0x80).
    #expect(lines == ["\u{2801}\u{2880}"])
    let line = BrailleCanvas(xRange: 0...1, yRange: 0...1, shapes: [.line(from: (0, 0), to: (1, 1), Style())], glyphs: .ascii)
    let ascii = VirtualScreen(width: 3, height: 3).render { buffer, area in line.render(into: &buffer, area: area) }
    #expect(ascii == ["  *", " * ", "*  "])
  }

  @Test("Dialog centres a box with the message and choices")
  func dialog() {
    let dialog = Dialog(title: "Quit", message: [Line("Unsaved plan.")], choices: [("y", "Yes"), ("n", "No")], glyphs: .ascii)
    let lines = VirtualScreen(width: 30, height: 7).render { buffer, area in dialog.render(into: &buffer, area: area) }
    #expect(lines == [
      "                              ",
      "    +- Quit ------------+     ",
      "    |  Unsaved plan.    |     ",
      "    |                   |     ",
      "    |  [y] Yes  [n] No  |     ",
      "    +-------------------+     ",
      "                              ",
    ])
  }

  @Test("ListPicker shows disabled items with their reason and highlights the selection")
  func listPicker() {
    let picker = ListPicker(
      title: "Scheme", items: [PickerItem("int8"), PickerItem("q4_0", disabledReason: "not in TFLite")], selected: 0,
      selectedStyle: Style(bg: .ansi(4)), glyphs: .ascii)
    let screen = VirtualScreen(width: 40, height: 6)
    let lines = screen.render { buffer, area in picker.render(into: &buffer, area: area) }
    let row = try? #require(lines.firstIndex { $0.contains("int8") })
    #expect(row != nil)
    #expect(lines.contains { $0.contains("q4_0") && $0.contains("not in TFLite") })
    if let row, let x = lines[row].firstIndex(of: "i").map({ lines[row].distance(from: lines[row].startIndex, to: $0) }) {
      #expect(screen.style(at: Point(x: x, y: row)).bg == .ansi(4))
    }
  }

  @Test("TextField scrolls to keep the cursor visible")
  func textField() {
    let field = TextField(state: TextInputState("/very/long/path/model.tflite"), style: Style(), cursorStyle: Style(reverse: true))
    let screen = VirtualScreen(width: 10, height: 1)
    let lines = screen.render { buffer, area in field.render(into: &buffer, area: area) }
    #expect(lines == ["el.tflite "])
    #expect(field.cursorPosition(in: Rect(x: 0, y: 0, width: 10, height: 1)) == Point(x: 9, y: 0))
    #expect(screen.style(at: Point(x: 9, y: 0)).reverse)
  }

  @Test("Paragraph wraps styled text and keeps styles with their words")
  func paragraph() {
    let paragraph = Paragraph([Line([Span("q", style: Style(bold: true)), Span(" quits the inspector")])])
    let screen = VirtualScreen(width: 10, height: 3)
    let lines = screen.render { buffer, area in paragraph.render(into: &buffer, area: area) }
    #expect(lines == ["q quits   ", "the       ", "inspector "])
    #expect(screen.style(at: Point(x: 0, y: 0)).bold)
    #expect(!screen.style(at: Point(x: 2, y: 0)).bold)
  }

  @Test("StatusBar shows hints on the left and drops the right side when short of space")
  func statusBar() {
    let bar = StatusBar(left: StatusBar.hints([("q", "Quit"), ("?", "Help")], keyStyle: Style(bold: true), style: Style()), right: [Span("1.2 GB")], style: Style())
    #expect(VirtualScreen(width: 24, height: 1).render { b, a in bar.render(into: &b, area: a) } == ["q Quit  ? Help    1.2 GB"])
    #expect(VirtualScreen(width: 12, height: 1).render { b, a in bar.render(into: &b, area: a) } == ["q Quit  ? H…"])
  }

  @Test("no widget traps in 0×0 or 1×1 areas", arguments: [Size(width: 0, height: 0), Size(width: 1, height: 1), Size(width: 2, height: 1), Size(width: 1, height: 3)])
  func tinyAreas(size: Size) {
    let widgets: [any Widget] = [
      Block(title: "title"), Paragraph(text: "some long text here"),
      Table(columns: [TableColumn("a", width: .fixed(3)), TableColumn("b", width: .fill(1))], rows: [["x", "y"], ["z", "w"]], selected: 1),
      Gauge(ratio: 0.7), BarHistogram(counts: [1, 2, 3], range: 0...1, markers: [HistogramMarker(value: 0.5, style: Style())]),
      RangeStrip(channels: [(-1, 1)]), Sparkline(values: [1, 2, 3]),
      BrailleCanvas(xRange: 0...1, yRange: 0...1, shapes: [.polyline([(0, 0), (1, 1)], Style())]),
      Overlay(title: "x", width: 10, height: 5), Dialog(title: "t", message: ["m"], choices: [("y", "Yes")]),
      ListPicker(title: "p", items: [PickerItem("a")], selected: 0), TextField(state: TextInputState("abc")),
      StatusBar(left: [Span("left")], right: [Span("right")]),
    ]
    for widget in widgets {
      var buffer = ScreenBuffer(size: size)
      widget.render(into: &buffer, area: buffer.bounds)
      widget.render(into: &buffer, area: Rect(x: -3, y: -3, width: 2, height: 2))
      #expect(buffer.size == size)
    }
  }

  @Test("widgets do not draw outside their area")
  func staysInside() {
    var buffer = ScreenBuffer(width: 12, height: 6, fill: Cell("."))
    let area = Rect(x: 2, y: 1, width: 6, height: 3)
    let widgets: [any Widget] = [
      Block(title: "a long title"), Gauge(ratio: 1), BarHistogram(counts: [5, 5, 5], range: 0...1),
      Paragraph(text: "wrapped words that go on"), StatusBar(left: [Span("very long status")], right: [Span("x")]),
    ]
    for widget in widgets { widget.render(into: &buffer, area: area) }
    for y in 0..<6 {
      for x in 0..<12 where !area.contains(Point(x: x, y: y)) {
        #expect(buffer[x: x, y: y].character == ".")
      }
    }
  }
}

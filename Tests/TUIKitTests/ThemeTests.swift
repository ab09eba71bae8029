import Foundation
import Testing
@testable import TUIKit

@Suite("Themes")
struct ThemeTests {
  static let themesFolder: String = {
    // Tests/TUIKitTests/ThemeTests.swift → repository root → Themes
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Themes").path
  }()

  @Test("a file patches only the roles it names over the defaults")
  func patch() {
    let text = """
      # a comment
      status_fg = "#102030"   # trailing comment
      histogram_bar = brightred

      clip_marker='default'
      """
    let (theme, warnings) = ThemeLoader.parse(text, name: "mine", source: "mine.theme")
    #expect(warnings.isEmpty)
    #expect(theme.name == "mine")
    #expect(theme[.statusFg] == .rgb(0x10, 0x20, 0x30))
    #expect(theme[.histogramBar] == .ansi(9))
    #expect(theme[.clipMarker] == .default)
    #expect(theme[.statusBg] == Theme.builtinDefault[.statusBg])
  }

  @Test("unknown keys warn and are ignored")
  func unknownKey() {
    let (theme, warnings) = ThemeLoader.parse("no_such_role = red\nstatus_fg = red", name: "t", source: "t.theme")
    #expect(warnings == [ThemeWarning(source: "t.theme", line: 1, message: "unknown key 'no_such_role' (ignored)")])
    #expect(theme[.statusFg] == .ansi(1))
  }

  @Test("bad values and malformed lines warn and keep the default")
  func badValues() {
    let text = "status_fg = purple\nstatus_bg = #12\njust words\nerror_fg = red blue"
    let (theme, warnings) = ThemeLoader.parse(text, name: "t", source: "t.theme")
    #expect(warnings.map(\.line) == [1, 2, 3, 4])
    #expect(warnings[0].description.hasPrefix("t.theme:1: bad color 'purple' for 'status_fg'"))
    #expect(warnings[2].message == "expected 'role = value', found 'just words'")
    #expect(theme[.statusFg] == Theme.builtinDefault[.statusFg])
    #expect(theme[.errorFg] == Theme.builtinDefault[.errorFg])
  }

  @Test("every bundled theme loads without warnings and sets every role", arguments: ["dark", "light", "high-contrast", "monochrome", "nord"])
  func bundled(name: String) throws {
    let locator = ThemeLocator(environment: [:], bundledDirectories: [ThemeTests.themesFolder])
    let result = locator.load(name)
    #expect(result.warnings.isEmpty)
    #expect(result.origin.hasSuffix("Themes/\(name).theme"))
    #expect(Set(result.theme.colors.keys) == Set(ThemeRole.all))
    let text = try String(contentsOfFile: result.origin, encoding: .utf8)
    let assigned = text.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("=") && !$0.hasPrefix("name") }
    #expect(assigned.count == ThemeRole.all.count)
  }

  @Test("the compiled-in themes match dark.theme and monochrome.theme")
  func compiledInMatchesFiles() {
    let locator = ThemeLocator(environment: [:], bundledDirectories: [ThemeTests.themesFolder])
    #expect(locator.load("dark").theme.colors == Theme.builtinDefault.colors)
    #expect(locator.load("monochrome").theme.colors == Theme.monochrome.colors)
  }

  @Test("user themes take precedence over bundled ones; paths load directly")
  func searchOrder() throws {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("qscope-theme-test-\(UInt32.random(in: 0...UInt32.max))")
    let folder = home.appendingPathComponent("qscope/themes")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: home) }
    try "status_fg = 42\n".write(to: folder.appendingPathComponent("light.theme"), atomically: true, encoding: .utf8)
    let locator = ThemeLocator(environment: ["XDG_CONFIG_HOME": home.path], bundledDirectories: [ThemeTests.themesFolder])
    let light = locator.load("light")
    #expect(light.theme[.statusFg] == .indexed(42))
    #expect(light.origin.hasPrefix(home.path))
    #expect(locator.availableThemes().prefix(1) == ["light"])
    #expect(locator.availableThemes().contains("nord"))
    let byPath = locator.load(ThemeTests.themesFolder + "/nord.theme")
    #expect(byPath.theme.name == "nord")
    #expect(byPath.warnings.isEmpty)
  }

  @Test("missing themes fall back to the built-in default with a warning")
  func missing() {
    let locator = ThemeLocator(environment: [:], bundledDirectories: [])
    let result = locator.load("does-not-exist")
    #expect(result.theme == Theme.builtinDefault)
    #expect(result.warnings.count == 1)
    #expect(locator.load(nil).warnings.isEmpty)
    #expect(locator.load("/nowhere/x.theme").warnings.count == 1)
  }

  @Test("NO_COLOR selects monochrome and caps the color depth")
  func noColor() {
    let locator = ThemeLocator(environment: ["NO_COLOR": "1"], bundledDirectories: [])
    let result = locator.load(nil)
    #expect(result.theme == Theme.monochrome)
    #expect(result.colorDepthLimit == .monochrome)
    #expect(ThemeLocator(environment: ["NO_COLOR": ""], bundledDirectories: []).load(nil).colorDepthLimit == nil)
  }

  @Test("the bundled Themes folder is found by walking up from the executable")
  func bundledFolder() {
    let fakeExecutable = ThemeTests.themesFolder + "/../.build-x/debug/qscope"
    let found = ThemeLocator.bundledDirectories(executablePath: fakeExecutable)
    #expect(found.first.map { URL(fileURLWithPath: $0).standardizedFileURL.path } == URL(fileURLWithPath: ThemeTests.themesFolder).standardizedFileURL.path)
    #expect(ThemeLocator.bundledDirectories(executablePath: nil).isEmpty)
  }

  @Test("a theme written out as a file reads back identically")
  func fileText() {
    let (theme, warnings) = ThemeLoader.parse(Theme.builtinDefault.fileText, name: "default", source: "x")
    #expect(warnings.isEmpty)
    #expect(theme.colors == Theme.builtinDefault.colors)
  }
}

import Foundation
import InspectorUI
import QuantEngine
import Testing
import TUIKit
import Workflows

@Suite struct ViewTests {
  func render(_ state: AppState, width: Int, height: Int, glyphs: Glyphs = .unicode) -> [String] {
    let screen = VirtualScreen(width: width, height: height)
    return screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: glyphs, into: &buffer) }
  }

  @Test("80×24: the list alone, with header, groups, rows and the summary bar")
  func narrow() throws {
    var (state, _, _) = try TestModel.state(size: Size(width: 80, height: 24))
    _ = reduce(&state, .resize(state.size))
    let lines = render(state, width: 80, height: 24)
    #expect(lines.count == 24)
    #expect(lines[0].hasPrefix(" QuantScope mlp.safetensors  safetensors, "))
    #expect(lines[2].contains("name") && lines[2].contains("scheme") && lines[2].contains("SQNR") && lines[2].contains("size"))
    #expect(lines[3].hasPrefix("│↓ fc1"))
    #expect(lines[4].hasPrefix("│  fc1.weight") && lines[4].contains("32×64") && lines[4].contains("keep") && lines[4].contains("8.00 KiB"))
    let size = Format.bytes(state.model.fileBytes)
    #expect(lines[22] == " size \(size) → \(size)  ratio 1.00x  bpw -  SQNR -  changed 0/4".padding(toLength: 80, withPad: " ", startingAt: 0))
  }

  @Test("120×40: list and detail side by side; results appear where they were pending")
  func wide() throws {
    var (state, model, _) = try TestModel.state(size: Size(width: 120, height: 40))
    _ = reduce(&state, .key(.char("j")))
    state.changePlan(state.plan(setting: 0, to: .int8))
    _ = reduce(&state, .resize(state.size))
    var lines = render(state, width: 120, height: 40)
    #expect(lines[1].contains("Layers") && lines[1].contains("Detail"))
    #expect(lines.contains { $0.contains("computing statistics…") })
    #expect(lines[38].contains("SQNR … (1 computing)"))
    let service = AnalysisService(model: model)
    let scheme = try #require(state.planned[0])
    _ = reduce(&state, .statsReady(0, service.stats(0)))
    _ = reduce(&state, .outcomeReady(0, scheme, service.outcome(0, scheme)))
    lines = render(state, width: 120, height: 40)
    let outcome = try service.outcome(0, scheme).get()
    #expect(lines[38].contains("SQNR \(Format.decibels(outcome.metrics.sqnrDB)) dB"))
    #expect(lines.contains { $0.contains("weights  [") })
    #expect(lines.contains { $0.contains("channels  32 ranges") })
    #expect(lines.contains { $0.contains("cosine") })
    #expect(!lines.contains { $0.contains("computing") })
  }

  @Test("too small: a clear message instead of the UI")
  func tooSmall() throws {
    let (state, _, _) = try TestModel.state(size: Size(width: 60, height: 20))
    let lines = render(state, width: 60, height: 20)
    #expect(lines.contains { $0.contains("Terminal too small: need 80×24, have 60×20") })
    #expect(!lines.contains { $0.contains("QuantScope") })
  }

  @Test("ASCII glyphs draw no character outside ASCII, overlays included")
  func asciiFallback() throws {
    var (state, _, _) = try TestModel.state(size: Size(width: 100, height: 30))
    _ = reduce(&state, .key(.char("j")))
    _ = reduce(&state, .key(.char("s")))
    for overlay: AppOverlay in [.none, .help(scroll: 0), .schemePicker(selected: 1), .confirmQuit] {
      state.overlay = overlay
      let lines = render(state, width: 100, height: 30, glyphs: .ascii)
      #expect(lines.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) }, "overlay \(overlay)")
    }
  }

  @Test("every view survives tiny and odd sizes", arguments: [(0, 0), (1, 1), (80, 24), (81, 25), (200, 60)])
  func sizes(_ size: (Int, Int)) throws {
    var (state, _, _) = try TestModel.state(size: Size(width: size.0, height: size.1))
    _ = reduce(&state, .key(.char("j")))
    state.overlay = .help(scroll: 3)
    let lines = render(state, width: size.0, height: size.1)
    #expect(lines.count == size.1)
  }

  @Test("the help overlay is generated from the keymap")
  func helpFromKeymap() throws {
    var (state, _, _) = try TestModel.state(size: Size(width: 120, height: 60))
    state.overlay = .help(scroll: 0)
    let text = render(state, width: 120, height: 60).joined(separator: "\n")
    for section in Keymap.standard.helpSections() {
      #expect(text.contains(section.title))
      for entry in section.entries { #expect(text.contains(entry.summary), "\(entry.summary)") }
    }
  }
}

@Suite struct KeymapTests {
  @Test("no chord is bound twice where it would be looked up together")
  func noConflicts() {
    for context in [KeyContext.list, .detail] {
      var seen: [KeyChord: Command] = [:]
      for binding in (Keymap.standard.contexts[context] ?? []) + (Keymap.standard.contexts[.global] ?? []) {
        for chord in binding.chords {
          #expect(seen[chord] == nil, "\(chord) bound to \(seen[chord].map { "\($0)" } ?? "") and \(binding.command)")
          seen[chord] = binding.command
        }
      }
    }
  }

  @Test("help entries name keys as users type them")
  func helpLabels() {
    let entries = Keymap.standard.helpSections().flatMap(\.entries)
    #expect(entries.contains { $0.keys == "u" && $0.summary == Command.undo.summary })
    #expect(entries.contains { $0.keys == "Ctrl-R" && $0.summary == Command.redo.summary })
    #expect(entries.contains { $0.keys == "→ l s" })
    let ascii = Keymap.standard.helpSections(glyphs: .ascii).flatMap(\.entries)
    #expect(ascii.contains { $0.keys == "Right l s" })
  }
}

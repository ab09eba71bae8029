import Foundation
import Testing

extension Tag {
  @Tag static var terminal: Self
}

/// End-to-end tests of the real binary in tmux. Skipped when tmux is not installed (or with
/// QSCOPE_TMUX_TESTS=0). Serialized: each test owns a tmux server, and two TUIs computing at once
/// on a small machine only make every bounded wait tighter.
@Suite(.tags(.terminal), .enabled(if: TmuxSession.available), .serialized)
struct TerminalTests {
  @Test("open the sample, navigate, change a scheme (summary changes), save, reopen the output")
  func openChangeSave() throws {
    let (folder, model) = try TmuxSession.sampleCopy()
    let tmux = TmuxSession()
    defer { tmux.kill() }
    try tmux.start("exec '\(CLI.binary)' '\(model)'", width: 100, height: 30)
    #expect(try tmux.waitFor("changed 0/15").ok)
    try tmux.send("/")
    try tmux.send("-l", "MatMul")
    try tmux.send("Enter")
    try tmux.send("j")
    var seen = try tmux.waitFor("MatMul")
    #expect(seen.ok)
    // Step through schemes until one with a finite SQNR is measured.
    var measured = false
    var scheme = "keep"
    for _ in 0..<6 {
      try tmux.send("l")
      // Wait for this key's frame (the message names the new scheme), then for its SQNR.
      seen = try tmux.waitFor { screen in
        guard let named = Self.messageScheme(screen), named != scheme else { return false }
        return screen.contains("changed 1/15") && !screen.contains("computing")
      }
      scheme = Self.messageScheme(seen.screen) ?? scheme
      if seen.screen.range(of: #"SQNR [0-9]+\.[0-9] dB"#, options: .regularExpression) != nil {
        measured = true
        break
      }
    }
    #expect(measured, "\(seen.screen)")
    #expect(seen.screen.contains("[modified]"))
    #expect(!seen.screen.contains("117.7 KiB → 117.7 KiB"))
    try tmux.send("w")
    #expect(try tmux.waitFor("Save quantized model").ok)
    try tmux.send("Enter")
    #expect(try tmux.waitFor("saved ").ok)
    let output = folder + "/digits-cnn-qscope.tflite"
    #expect(FileManager.default.fileExists(atPath: output))
    let reopened = try CLI.run(["inspect", output])
    #expect(reopened.status == 0)
    #expect(reopened.stdout.contains("MatMul"))
    try tmux.send("q")
    #expect(try tmux.waitFor(timeout: 5) { _ in (try? tmux.display("#{pane_dead}")) == "1" }.ok)
  }

  /// The scheme named by the last `TENSOR: SCHEME` message on the status line.
  static func messageScheme(_ screen: String) -> String? {
    guard let line = screen.split(separator: "\n").last(where: { $0.contains("MatMul: ") }),
      let range = line.range(of: "MatMul: ", options: .backwards) else { return nil }
    return line[range.upperBound...].trimmingCharacters(in: .whitespaces)
  }

  @Test("resizes live to 80×24 and 200×60; too small shows a message")
  func resize() throws {
    let (_, model) = try TmuxSession.sampleCopy()
    let tmux = TmuxSession()
    defer { tmux.kill() }
    try tmux.start("exec '\(CLI.binary)' '\(model)'", width: 100, height: 30)
    #expect(try tmux.waitFor("Detail").ok)
    try tmux.resize(width: 80, height: 24)
    let narrow = try tmux.waitFor(timeout: 10) { $0.contains("Layers") && !$0.contains("Detail") }
    #expect(narrow.ok, "\(narrow.screen)")
    #expect(narrow.screen.split(separator: "\n").count <= 24)
    try tmux.resize(width: 200, height: 60)
    let wide = try tmux.waitFor(timeout: 10) { $0.contains("Detail") && $0.split(separator: "\n").first.map { $0.count > 150 } == true }
    #expect(wide.ok, "\(wide.screen)")
    try tmux.resize(width: 60, height: 20)
    #expect(try tmux.waitFor("Terminal too small").ok)
    try tmux.resize(width: 100, height: 30)
    #expect(try tmux.waitFor("Detail").ok)
  }

  @Test("SIGHUP writes the recovery plan, and the next start offers to restore it")
  func hangupRecovery() throws {
    let (_, model) = try TmuxSession.sampleCopy()
    let recovery = model + ".qscope-plan.json"
    let tmux = TmuxSession()
    defer { tmux.kill() }
    try tmux.start("exec '\(CLI.binary)' '\(model)'", width: 100, height: 30)
    #expect(try tmux.waitFor("changed 0/15").ok)
    try tmux.send("j", "j", "l")
    #expect(try tmux.waitFor("changed 1/15").ok)
    let pid = try tmux.display("#{pane_pid}")
    let killer = Process()
    killer.executableURL = URL(fileURLWithPath: "/bin/kill")
    killer.arguments = ["-HUP", pid]
    try killer.run()
    killer.waitUntilExit()
    #expect(try tmux.waitFor(timeout: 10) { _ in FileManager.default.fileExists(atPath: recovery) }.ok)
    let text = try String(contentsOfFile: recovery, encoding: .utf8)
    #expect(text.contains("\"version\": 1"))
    let second = TmuxSession()
    defer { second.kill() }
    try second.start("exec '\(CLI.binary)' '\(model)'", width: 100, height: 30)
    #expect(try second.waitFor("Restore plan?").ok)
    try second.send("r")
    #expect(try second.waitFor("changed 1/15").ok)
  }

  @Test("q quits and the terminal is back to normal: no alternate screen, echo on")
  func quitRestores() throws {
    let (_, model) = try TmuxSession.sampleCopy()
    let tmux = TmuxSession()
    defer { tmux.kill() }
    try tmux.start("env PS1='PROMPT$ ' bash --norc --noprofile", width: 100, height: 30)
    #expect(try tmux.waitFor("PROMPT$").ok)
    try tmux.send("-l", "'\(CLI.binary)' '\(model)'")
    try tmux.send("Enter")
    #expect(try tmux.waitFor("changed 0/15").ok)
    #expect(try tmux.display("#{alternate_on}") == "1")
    try tmux.send("q")
    #expect(try tmux.waitFor(timeout: 10) { _ in (try? tmux.display("#{alternate_on}")) == "0" }.ok)
    try tmux.send("-l", "stty -a | tr ' ' '\\n' | grep -qx echo && echo ECHO-IS-ON")
    try tmux.send("Enter")
    #expect(try tmux.waitFor("ECHO-IS-ON\n").ok)
  }

  @Test("TERM=vt100 LANG=C draws with ASCII only")
  func asciiFallback() throws {
    let (_, model) = try TmuxSession.sampleCopy()
    let tmux = TmuxSession()
    defer { tmux.kill() }
    try tmux.start("TERM=vt100 LANG=C LC_ALL=C exec '\(CLI.binary)' '\(model)'", width: 100, height: 30)
    let seen = try tmux.waitFor("changed 0/15")
    #expect(seen.ok, "\(seen.screen)")
    #expect(seen.screen.contains("+- Layers"))
    let asciiOnly = seen.screen.unicodeScalars.allSatisfy { $0.isASCII }
    #expect(asciiOnly)
  }
}

extension TerminalTests {
  @Test("the sample's evaluation data beside it gives live accuracy in the summary bar")
  func liveAccuracy() throws {
    let (_, model) = try TmuxSession.sampleCopy()
    let tmux = TmuxSession()
    defer { tmux.kill() }
    try tmux.start("exec '\(CLI.binary)' '\(model)'", width: 140, height: 30)
    // Opening runs the float model on the data once; a debug build on a busy machine needs a while.
    let opened = try tmux.waitFor(timeout: 60) { $0.range(of: #"acc [0-9.]+% → [0-9.]+%"#, options: .regularExpression) != nil }
    #expect(opened.ok, "\(opened.screen)")
    #expect(opened.screen.contains("agree ") && opened.screen.contains("KL "))
  }
}

extension TerminalTests {
  @Test("w on a Keras model saves a .tflite with the tflite-default preset, and qscope opens it")
  func saveKerasAsTFLite() throws {
    let folder = NSTemporaryDirectory() + "qscope-tui-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let model = folder + "/digits-mlp.keras"
    try FileManager.default.copyItem(atPath: CLI.packageRoot + "/SampleModels/digits-mlp.keras", toPath: model)
    let tmux = TmuxSession()
    defer { tmux.kill() }
    try tmux.start("exec '\(CLI.binary)' '\(model)'", width: 100, height: 30)
    #expect(try tmux.waitFor("changed 0/").ok)
    try tmux.send("w")
    #expect(try tmux.waitFor("Save quantized model").ok)
    // ↓ to the format row, → to tflite; ↓ to what to write, → to the first preset.
    try tmux.send("Down", "Right")
    #expect(try tmux.waitFor("[tflite]").ok)
    try tmux.send("Down", "Right")
    let chosen = try tmux.waitFor("[tflite-default]")
    #expect(chosen.ok, "\(chosen.screen)")
    #expect(chosen.screen.contains("digits-mlp-qscope.tflite"))
    try tmux.send("Enter")
    let saved = try tmux.waitFor(timeout: 60) { $0.contains("saved ") || $0.contains("rror") }
    #expect(saved.ok && saved.screen.contains("saved "), "\(saved.screen)")
    let output = folder + "/digits-mlp-qscope.tflite"
    #expect(FileManager.default.fileExists(atPath: output))
    let inspected = try CLI.run(["inspect", output])
    #expect(inspected.status == 0)
    #expect(inspected.stdout.contains("tflite") && inspected.stdout.contains("I8"), "\(inspected.stdout)")
    try tmux.send("q")
    #expect(try tmux.waitFor(timeout: 5) { _ in (try? tmux.display("#{pane_dead}")) == "1" }.ok)
  }
}

extension TerminalTests {
  /// A llama.cpp legacy imatrix (.dat): count, then per entry name, calls and values.
  static func legacyImatrix(_ entries: [(String, [Float])]) -> Data {
    var data = Data()
    func int32(_ v: Int) { withUnsafeBytes(of: Int32(v).littleEndian) { data.append(contentsOf: $0) } }
    int32(entries.count)
    for (name, values) in entries {
      int32(name.utf8.count)
      data.append(contentsOf: Array(name.utf8))
      int32(1)
      int32(values.count)
      for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    }
    return data
  }

  @Test("--imatrix shows each tensor's importance in the list and the detail pane; a bad file exits 1")
  func importance() throws {
    let folder = NSTemporaryDirectory() + "qscope-tui-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let model = folder + "/digits-mlp.keras"
    try FileManager.default.copyItem(atPath: CLI.packageRoot + "/SampleModels/digits-mlp.keras", toPath: model)
    let imatrix = folder + "/mlp.imatrix.dat"
    let values = (0..<128).map { Float($0 % 16 == 0 ? 4 : 0.5) }
    try Self.legacyImatrix([("fc1/kernel", values)]).write(to: URL(fileURLWithPath: imatrix))
    let bad = folder + "/bad.dat"
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: bad))
    let refused = try CLI.run(["open", model, "--imatrix", bad])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("Error:"), "\(refused.stderr)")
    let tmux = TmuxSession()
    defer { tmux.kill() }
    try tmux.start("exec '\(CLI.binary)' '\(model)' --imatrix '\(imatrix)'", width: 120, height: 34)
    let opened = try tmux.waitFor("changed 0/")
    #expect(opened.ok, "\(opened.screen)")
    #expect(opened.screen.contains(" imp "), "\(opened.screen)")
    #expect(opened.screen.contains("sens wMSE"), "\(opened.screen)")
    try tmux.send("j")
    // mean = (8·4 + 120·0.5) / 128 = 0.71875; peak 4 / 0.71875 = 5.6x.
    let detail = try tmux.waitFor { $0.contains("imp mean") && $0.contains("imp peak") }
    #expect(detail.ok, "\(detail.screen)")
    #expect(detail.screen.contains("0.7188") && detail.screen.contains("5.6x"), "\(detail.screen)")
  }
}

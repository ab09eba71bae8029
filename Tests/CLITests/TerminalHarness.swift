import Foundation

/// Drives the real qscope binary inside a private tmux server (its own socket, killed at the end).
final class TmuxSession {
  let socket = "qscope-test-\(UUID().uuidString.prefix(8))"
  let target = "t"

  /// Opt-in for now (QSCOPE_TMUX_TESTS=1): the suite still needs its timeouts tuned.
  static var available: Bool {
    ProcessInfo.processInfo.environment["QSCOPE_TMUX_TESTS"] == "1" &&
    ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Runs tmux; `capture` is off for commands that may start the server, which would inherit
  /// (and hold open) the output pipe.
  @discardableResult
  func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["tmux", "-L", socket] + arguments
    guard capture else {
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      process.standardInput = FileHandle.nullDevice
      try process.run()
      process.waitUntilExit()
      return ""
    }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  /// Starts `command` (run by sh) in a detached window of `width`×`height`.
  func start(_ command: String, width: Int, height: Int) throws {
    try tmux(["-f", "/dev/null", "new-session", "-d", "-s", target, "-x", "\(width)", "-y", "\(height)", command], capture: false)
    try tmux(["set-option", "-t", target, "remain-on-exit", "on"])
  }

  func send(_ keys: String...) throws { try tmux(["send-keys", "-t", target] + keys) }

  func capture() throws -> String { try tmux(["capture-pane", "-p", "-t", target]) }

  func display(_ format: String) throws -> String {
    try tmux(["display-message", "-p", "-t", target, format]).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func resize(width: Int, height: Int) throws {
    try tmux(["resize-window", "-t", target, "-x", "\(width)", "-y", "\(height)"])
  }

  /// Polls the screen until `predicate` holds or `timeout` seconds pass; returns the last capture.
  @discardableResult
  func waitFor(timeout: Double = 15, _ predicate: (String) -> Bool) throws -> (ok: Bool, screen: String) {
    let deadline = Date().addingTimeInterval(timeout)
    var screen = ""
    while Date() < deadline {
      screen = try capture()
      if predicate(screen) { return (true, screen) }
      Thread.sleep(forTimeInterval: 0.1)
    }
    return (false, screen)
  }

  func waitFor(_ text: String, timeout: Double = 15) throws -> (ok: Bool, screen: String) {
    try waitFor(timeout: timeout) { $0.contains(text) }
  }

  func kill() { _ = try? tmux(["kill-server"], capture: false) }

  deinit { kill() }

  /// A copy of the sample model in a fresh folder, so outputs and recovery plans stay out of the repo.
  static func sampleCopy() throws -> (folder: String, model: String) {
    let folder = NSTemporaryDirectory() + "qscope-tui-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let model = folder + "/digits-cnn.tflite"
    try FileManager.default.copyItem(atPath: CLI.packageRoot + "/SampleModels/digits-cnn.tflite", toPath: model)
    return (folder, model)
  }
}

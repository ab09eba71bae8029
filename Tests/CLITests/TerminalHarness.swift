import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Drives the real qscope binary inside a private tmux server (its own socket, killed at the end).
///
/// tmux is started with `posix_spawn` and reaped with `waitpid`, not with Foundation's `Process`:
/// the tmux client forks a server that inherits the spawner's descriptors, and `Process` on Linux
/// waits for its own status descriptor to close, which the long-lived server keeps open (the
/// test then never finishes). The child also gets an empty signal mask and default handlers:
/// test threads block SIGHUP/SIGTERM, and a blocked mask survives fork and exec into the server
/// and into qscope, which then never sees a hangup.
final class TmuxSession {
  let socket = "qscope-test-\(UUID().uuidString.prefix(8))"
  let target = "t"

  /// Every bounded wait of these tests, in seconds.
  static let timeout: Double = 15

  /// Whether tmux is installed (scripts/setup.sh installs it); QSCOPE_TMUX_TESTS=0 skips the suite.
  static var available: Bool {
    ProcessInfo.processInfo.environment["QSCOPE_TMUX_TESTS"] != "0" && tmuxPath != nil
  }

  static var tmuxPath: String? {
    ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  enum HarnessError: Error, CustomStringConvertible {
    case spawn(Int32), status(String, Int32)
    var description: String {
      switch self {
      case .spawn(let code): "posix_spawn failed: \(String(cString: strerror(code)))"
      case .status(let command, let status): "\(command) exited with status \(status)"
      }
    }
  }

  /// Runs tmux with stdin from /dev/null and returns what it printed on stdout (via a temp file,
  /// so no pipe is shared with the server it may start).
  @discardableResult
  func tmux(_ arguments: [String], check: Bool = false) throws -> String {
    let outPath = NSTemporaryDirectory() + "qscope-tmux-\(UUID().uuidString).out"
    defer { unlink(outPath) }
    let status = try Self.spawnAndWait(
      [Self.tmuxPath ?? "tmux", "-L", socket] + arguments, stdout: outPath)
    if check && status != 0 { throw HarnessError.status("tmux " + arguments.joined(separator: " "), status) }
    return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
  }

  static func spawnAndWait(_ argv: [String], stdout: String) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    // Nothing else of the test process may leak into a long-lived tmux server.
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    for fd in open.compactMap({ Int32($0) }) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var cArgs = argv.map { strdup($0) }
    cArgs.append(nil)
    defer { for arg in cArgs { free(arg) } }
    var pid: pid_t = 0
    let code = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, environ)
    guard code == 0 else { throw HarnessError.spawn(code) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS by hand (the C macros are not imported).
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
  }

  /// Starts `command` (run by sh) in a detached window of `width`×`height`. The pane stays
  /// after the command ends so its last screen can be read, and its death observed.
  func start(_ command: String, width: Int, height: Int) throws {
    try tmux(
      ["-f", "/dev/null", "new-session", "-d", "-s", target, "-x", "\(width)", "-y", "\(height)",
       command, ";", "set-option", "-t", target, "remain-on-exit", "on"],
      check: true)
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
  func waitFor(timeout: Double = TmuxSession.timeout, _ predicate: (String) -> Bool) throws -> (ok: Bool, screen: String) {
    let deadline = Date().addingTimeInterval(timeout)
    var screen = ""
    repeat {
      screen = try capture()
      if predicate(screen) { return (true, screen) }
      Thread.sleep(forTimeInterval: 0.1)
    } while Date() < deadline
    return (false, screen)
  }

  func waitFor(_ text: String, timeout: Double = TmuxSession.timeout) throws -> (ok: Bool, screen: String) {
    try waitFor(timeout: timeout) { $0.contains(text) }
  }

  func kill() { _ = try? tmux(["kill-server"]) }

  deinit { kill() }

  /// A copy of the sample model (and its evaluation data) in a fresh folder, so outputs and
  /// recovery plans stay out of the repo.
  static func sampleCopy() throws -> (folder: String, model: String) {
    let folder = NSTemporaryDirectory() + "qscope-tui-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let model = folder + "/digits-cnn.tflite"
    try FileManager.default.copyItem(atPath: CLI.packageRoot + "/SampleModels/digits-cnn.tflite", toPath: model)
    let data = CLI.packageRoot + "/SampleModels/digits-cnn.eval.npz"
    if FileManager.default.fileExists(atPath: data) {
      try FileManager.default.copyItem(atPath: data, toPath: folder + "/digits-cnn.eval.npz")
    }
    return (folder, model)
  }
}

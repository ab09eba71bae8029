import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs libhdf5 over a file in a child process before the tool trusts it in its own.
///
/// libhdf5 (1.10 on Debian 12) trusts parts of a file it should not: a variable-length string whose
/// heap reference names an object its collection does not hold makes `H5HG_read` read through a
/// null or wild pointer, and such a file takes the whole tool down — over SSH, with a plan on screen.
/// We cannot fix the library, so an executable that can re-run itself (qscope) registers a probe
/// command: the child opens the file the same way, and only when it survives does the real open
/// happen. A crash or a hang in the child becomes one clear error. Library users that register
/// nothing (tests, other tools) open files directly.
public enum HDF5Isolation {
  /// How a probe ended.
  public enum Outcome: Equatable, Sendable {
    /// The child finished (its own error, if any, is reproduced by the real open).
    case finished
    case crashed(signal: Int32)
    case timedOut(seconds: Double)
    case couldNotRun(String)
  }

  private static let lock = NSLock()
  nonisolated(unsafe) private static var registered: (arguments: @Sendable (String) -> [String], timeout: Double)?

  /// Registers the command line that makes a child open `path` and exit (0, or 1 on an ordinary
  /// error). The first element is the executable.
  public static func register(timeout: Double = 30, arguments: @escaping @Sendable (String) -> [String]) {
    lock.withLock { registered = (arguments, timeout) }
  }

  /// Forgets the registration (for tests).
  public static func unregister() { lock.withLock { registered = nil } }

  /// Probes `path` when a probe is registered; throws a ``FormatError`` when the child crashed or hung.
  static func check(_ path: String) throws(FormatError) {
    guard let probe = lock.withLock({ registered }) else { return }
    try check(path, arguments: probe.arguments(path), timeout: probe.timeout)
  }

  /// Runs one probe command for `path` and turns a crash or hang into an error.
  static func check(_ path: String, arguments: [String], timeout: Double) throws(FormatError) {
    switch run(arguments, timeout: timeout) {
    case .finished, .couldNotRun:
      // A probe that cannot start (no /proc, exec refused) must not make valid files unreadable.
      return
    case .crashed(let signal):
      throw .invalid(file: path, what: "HDF5 file", offset: nil,
                     reason: "libhdf5 crashed reading it (signal \(signal)); the file is corrupt or crafted, and was not opened")
    case .timedOut(let seconds):
      throw .invalid(file: path, what: "HDF5 file", offset: nil,
                     reason: "libhdf5 did not finish reading it within \(Int(seconds)) s; the file is corrupt or crafted, and was not opened")
    }
  }

  /// Spawns `arguments` with no stdin/stdout/stderr and waits at most `timeout` seconds.
  public static func run(_ arguments: [String], timeout: Double) -> Outcome {
    guard let executable = arguments.first else { return .couldNotRun("no command") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor: Int32 in [0, 1, 2] {
      posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
    }
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, executable, &actions, nil, &argv, environ)
    guard status == 0 else { return .couldNotRun(String(cString: strerror(status))) }
    let deadline = Date().addingTimeInterval(timeout)
    var wait: Int32 = 0
    while true {
      let result = waitpid(pid, &wait, WNOHANG)
      if result == pid { break }
      if result < 0 { return .couldNotRun("waitpid failed") }
      if Date() >= deadline {
        kill(pid, SIGKILL)
        _ = waitpid(pid, &wait, 0)
        return .timedOut(seconds: timeout)
      }
      usleep(2_000)
    }
    // WIFSIGNALED / WTERMSIG are macros Swift cannot import.
    let signal = wait & 0x7F
    return signal != 0 && signal != 0x7F ? .crashed(signal: signal) : .finished
  }
}

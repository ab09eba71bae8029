import TUIKit

/// Runs code with the terminal in curses mode and always restores it afterwards.
///
/// ```swift
/// try TerminalSession.run { backend in
///   var terminal = Terminal(backend: backend)
///   while let event = try backend.readEvent(timeoutMilliseconds: nil) { … }
/// }
/// ```
/// The terminal is restored when `body` returns or throws, at process exit, and on
/// SIGINT/SIGTERM/SIGHUP/SIGQUIT and fatal signals (see `TerminalSignals`). SIGINT, SIGTERM
/// and SIGHUP first reach `body` as `InputEvent.signal` so the app can save and return.
public enum TerminalSession {
  /// Starts curses, runs `body` with the backend, and restores the terminal.
  ///
  /// - Throws: `TerminalError` when the terminal cannot be used, or whatever `body` throws.
  public static func run<T>(
    options: CursesBackend.Options = CursesBackend.Options(), _ body: (CursesBackend) throws -> T
  ) throws -> T {
    let backend = try CursesBackend(options: options)
    defer { backend.shutdown() }
    return try body(backend)
  }
}

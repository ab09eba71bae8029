import CNcurses
import Glibc
import Synchronization
import TUIKit

// Process-wide terminal state touched from signal handlers. Only atomics and pre-allocated
// storage are used there; `prepare()` initializes every global before a handler can run, so
// no lazy global initialization ever happens inside a handler.
private let cursesActive = Atomic<Bool>(false)
private let pendingSignal = Atomic<Int32>(0)
private let handlersInstalled = Atomic<Bool>(false)
private let atexitRegistered = Atomic<Bool>(false)
nonisolated(unsafe) private let savedActions = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)

/// Signal and exit handling that guarantees the terminal is restored.
///
/// - SIGINT, SIGTERM, SIGHUP are delivered to the app as `InputEvent.signal` (the handler only
///   records the signal; `readEvent` polls at least every 100 ms), so it can save its plan
///   before quitting. A second such signal before the first was handled restores the terminal
///   and exits at once, so a stuck app can still be killed.
/// - SIGQUIT and the fatal signals (SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGTRAP, SIGFPE; Swift
///   traps arrive as SIGILL/SIGTRAP) restore the terminal, put back the previous handler
///   (the Swift backtracer or the default) and re-raise.
/// - `atexit` restores the terminal when the process exits any other way.
/// - SIGWINCH and SIGTSTP stay with ncurses (KEY_RESIZE, suspend and redraw).
enum TerminalSignals {
  static let deliveredSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
  static let fatalSignals: [Int32] = [SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGTRAP, SIGFPE]

  /// Touches every global so that handlers never trigger lazy initialization.
  static func prepare() {
    _ = cursesActive.load(ordering: .relaxed)
    _ = pendingSignal.load(ordering: .relaxed)
    _ = handlersInstalled.load(ordering: .relaxed)
    _ = savedActions
    if !atexitRegistered.exchange(true, ordering: .acquiringAndReleasing) {
      atexit { TerminalSignals.restoreTerminal() }
    }
  }

  static func cursesStarted() {
    cursesActive.store(true, ordering: .releasing)
  }

  /// Leaves curses mode if it is active; safe to call repeatedly and from handlers.
  static func restoreTerminal() {
    if cursesActive.exchange(false, ordering: .acquiringAndReleasing) {
      endwin()
    }
  }

  /// The signal that arrived since the last call, if any.
  static func takePending() -> TerminalSignal? {
    switch pendingSignal.exchange(0, ordering: .acquiringAndReleasing) {
    case SIGINT: return .interrupt
    case SIGTERM: return .terminate
    case SIGHUP: return .hangup
    default: return nil
    }
  }

  static func installHandlers() {
    guard !handlersInstalled.exchange(true, ordering: .acquiringAndReleasing) else { return }
    for signal in deliveredSignals {
      _ = cncurses_set_handler(signal, { number in
        if pendingSignal.exchange(number, ordering: .acquiringAndReleasing) != 0 {
          TerminalSignals.restoreTerminal()
          _exit(128 + number)
        }
      }, savedActions + Int(signal))
    }
    for signal in fatalSignals {
      _ = cncurses_set_handler(signal, { number in
        TerminalSignals.restoreTerminal()
        _ = cncurses_restore_handler(number, savedActions + Int(number))
        raise(number)
      }, savedActions + Int(signal))
    }
  }

  static func uninstallHandlers() {
    guard handlersInstalled.exchange(false, ordering: .acquiringAndReleasing) else { return }
    for signal in deliveredSignals + fatalSignals {
      _ = cncurses_restore_handler(signal, savedActions + Int(signal))
    }
  }
}

/// Why the curses terminal could not be used.
public enum TerminalError: Error, Equatable, CustomStringConvertible {
  /// Standard input or output is not a terminal (piped, redirected).
  case notATerminal
  /// curses does not know the terminal type in `TERM`.
  case unknownTerminal(String)
  /// A curses call failed.
  case cursesCall(String)

  public var description: String {
    switch self {
    case .notATerminal:
      return "qscope's interactive mode needs a terminal; standard input/output is not one (use 'qscope inspect' for scripts)."
    case .unknownTerminal(let term):
      return "Unknown terminal type '\(term)'. Set TERM to one your system knows, e.g. xterm-256color, screen, vt100 or linux."
    case .cursesCall(let name):
      return "The terminal call '\(name)' failed."
    }
  }
}

import TUIKit
import CNcurses
/// The only code that touches curses.
public enum CursesBackend {}

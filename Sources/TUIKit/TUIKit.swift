/// A terminal UI toolkit with no C dependencies: cells, screen buffers, widgets, keys, themes.
///
/// ## Design
/// - **State → view → render.** Apps keep their state in values, draw the whole frame each time
///   with plain widget structs (`Widget.render(into:area:)`) into a `ScreenBuffer`, and hand it to
///   `Terminal`, which diffs it against the previous frame (`ScreenBuffer.diff(from:)`), reduces
///   styles to the terminal's `ColorDepth`, and sends only changed runs to a `TerminalBackend`.
/// - **Backends.** `CursesBackend` (a separate target, the only code importing curses) and
///   `VirtualScreen` (in memory, for tests) implement `TerminalBackend`. Key decoding is the
///   pure `CursesKeys.decode(_:isKeyCode:)`, so it is tested here without a terminal.
/// - **Glyphs.** Widgets take a `Glyphs` value (`.unicode` or `.ascii`) chosen from the backend's
///   `capabilities.unicode`, so non-UTF-8 locales (vt100, the Linux console in C) get ASCII.
/// - **Untrusted text.** `ScreenBuffer.write` shows control characters as `?`, so names from
///   model files cannot smuggle escape sequences to the terminal.
/// - **Themes.** `Theme` maps `ThemeRole`s (snake_case names such as `status_fg`) to `Color`s;
///   `ThemeLoader` parses `role = value` files over the built-in default and warns instead of
///   failing; `ThemeLocator` searches the user folder, then the `Themes` folder found by walking
///   up from the executable, then the compiled-in themes, and honours `NO_COLOR`.
/// - **Small terminals.** Views call `MinimumSize().renderMessageIfNeeded(into:)` first; below
///   80×24 it draws "Terminal too small: need 80×24, have W×H" instead of the UI.
/// - **Robustness.** Every buffer access is bounds-checked and every widget accepts 0×0 and 1×1
///   areas, so a resize to a tiny window can never trap.
public enum TUIKit {}

/// The interactive inspector: state → view → render, with input and engine results as actions.
///
/// - `AppState` holds everything a frame shows; `reduce(_:_:)` is the only thing that changes it
///   and returns `Effect`s for the runtime to carry out (background analysis, saving, files).
/// - Keys reach `reduce` as `.key(chord)`; the active `Keymap` context turns them into
///   `Command`s, so the help overlay is generated from the same table.
/// - Views are pure functions of the state into a `ScreenBuffer` (`AppView.render`).
/// - `InspectorRuntime` runs effects on background queues and posts results back as actions;
///   `InspectorApp.run(backend:)` is the main loop over any `TerminalBackend`.
public enum InspectorUI {}

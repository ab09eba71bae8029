import Foundation
import TUIKit
import Workflows

/// The main loop: draw, wait for input or engine results, reduce, run effects, redraw on change.
public enum InspectorApp {
  /// How long to wait for input while background work runs (results show up this fast).
  static let busyPollMilliseconds = 30
  static let idlePollMilliseconds = 500

  /// Runs until the user quits or a signal arrives. Returns the final state.
  @discardableResult
  public static func run<Backend: TerminalBackend>(
    backend: Backend, state initial: AppState, runtime: InspectorRuntime, colorDepthLimit: ColorDepth? = nil,
    keymap: Keymap = .standard, maxIterations: Int? = nil
  ) throws -> AppState {
    var state = initial
    var terminal = Terminal(backend: backend, colorDepthLimit: colorDepthLimit)
    state.size = backend.size
    runtime.perform(state.requestMissingAnalyses())
    var needsDraw = true
    var iterations = 0
    while !runtime.quitRequested && !state.quitting {
      if needsDraw {
        let theme = runtime.theme
        let glyphs = terminal.glyphs
        try terminal.draw { buffer, _ in AppView.render(state, theme: theme, glyphs: glyphs, keymap: keymap, into: &buffer) }
        needsDraw = false
      }
      if let maxIterations, iterations >= maxIterations { break }
      iterations += 1
      var actions: [Action] = []
      let timeout = runtime.busy ? busyPollMilliseconds : idlePollMilliseconds
      if let event = try backend.readEvent(timeoutMilliseconds: timeout) {
        actions.append(action(for: event))
      }
      actions += runtime.drain()
      for action in actions {
        let effects = reduce(&state, action, keymap: keymap)
        if case .signal = action {
          // No later on a signal: write the plan now, before the terminal goes away.
          for case .writeRecoveryPlan(let plan, let path) in effects { runtime.writeRecovery(plan, path: path) }
          runtime.perform(.quit)
          return state
        }
        runtime.perform(effects)
        needsDraw = true
      }
    }
    return state
  }

  static func action(for event: InputEvent) -> Action {
    switch event {
    case .key(let chord): return .key(chord)
    case .mouse(let mouse): return .mouse(mouse)
    case .resize(let size): return .resize(size)
    case .signal(let signal): return .signal(signal)
    }
  }
}

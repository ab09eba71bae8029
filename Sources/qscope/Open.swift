import ArgumentParser
import CursesBackend
import Foundation
import InspectorUI
import ModelFormats
import TensorCore
import TUIKit
import Workflows

extension QScope {
  /// The main job: the interactive inspector.
  ///
  /// When stdin or stdout is not a terminal (CI, pipes), it prints the `inspect` table with int8
  /// errors instead and exits 0, so scripts calling `qscope FILE` still get something useful.
  struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "open",
      abstract: "Open a model in the interactive inspector (the default command).",
      discussion: "Without a terminal on stdin and stdout, prints the inspect table (with int8 errors) and exits 0.")

    @Argument(help: "Model file to open (default: the bundled sample model).")
    var file: String?

    @Option(help: "Theme name or path to a .theme file.")
    var theme: String?

    @Option(help: "Evaluation data (.npz with x and optional y).")
    var data: String?

    @Option(help: "Importance matrix (llama.cpp imatrix .gguf or legacy .dat): per-tensor importance in the list and the detail pane, and importance-weighted sensitivity.")
    var imatrix: String?

    mutating func run() throws {
      let path = try file ?? SampleModel.defaultPath()
      let model: Model
      let format: any ModelFormat.Type
      do {
        (model, format) = try ModelOpener.open(path: path)
      } catch {
        FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
        throw ExitCode(1)
      }
      var importance: ImportanceMatrix?
      if let imatrix {
        do { importance = try ImportanceMatrix.load(path: imatrix) } catch {
          FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
          throw ExitCode(1)
        }
      }
      guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
        var options = Inspector.Options(scheme: .int8)
        options.importance = importance
        options.importancePath = imatrix
        let report = try Inspector.inspect(model, options: options)
        print(report.rendered(as: .table), terminator: "")
        return
      }
      try runInspector(model: model, format: format, importance: importance)
    }

    func runInspector(model: Model, format: any ModelFormat.Type, importance: ImportanceMatrix?) throws {
      Self.unblockQuitSignals()
      let locator = ThemeLocator.current()
      let loaded = locator.load(theme)
      let summary = ModelSummary(model: model, format: format, importance: importance, importancePath: imatrix)
      let runtime = InspectorRuntime(model: model, format: format, theme: loaded.theme, locator: locator)
      if let importance { runtime.importance = Sensitivity.importance(from: importance, model: model).vectors }
      var state = AppState(
        model: summary, size: Size(width: 80, height: 24), themeName: theme ?? loaded.theme.name,
        themes: locator.availableThemes())
      if !loaded.warnings.isEmpty {
        state.message = Message(loaded.warnings.map(\.description).joined(separator: "; "), .warning)
      }
      if importance != nil {
        let matched = summary.rows.filter { $0.importance != nil }.count
        let misfits = summary.rows.filter { $0.importanceProblem != nil }.count
        if matched == 0 || misfits > 0 {
          state.message = Message("imatrix: entries for \(matched) of \(summary.rows.count) tensors\(misfits > 0 ? ", \(misfits) do not fit (see i)" : "")", .warning)
        }
      }
      state.explicitData = data != nil
      runtime.openEvaluation(modelPath: model.path, dataPath: data)
      if FileManager.default.fileExists(atPath: state.recoveryPath) {
        runtime.post(.recoveryFound(path: state.recoveryPath))
      }
      let options = CursesBackend.Options(colorDepthLimit: loaded.colorDepthLimit)
      let final = try TerminalSession.run(options: options) { backend in
        try InspectorApp.run(backend: backend, state: state, runtime: runtime, colorDepthLimit: loaded.colorDepthLimit)
      }
      if final.dirty, FileManager.default.fileExists(atPath: final.recoveryPath) {
        FileHandle.standardError.write(Data("qscope: unsaved plan kept in \(final.recoveryPath)\n".utf8))
      }
    }

    /// A parent may start us with SIGHUP/SIGINT/SIGTERM blocked (the mask survives exec); then a
    /// closed terminal would leave the inspector polling a dead tty forever instead of saving
    /// the plan and quitting. Threads started later inherit the main thread's mask.
    static func unblockQuitSignals() {
      var set = sigset_t()
      sigemptyset(&set)
      for signal in [SIGHUP, SIGINT, SIGTERM] { sigaddset(&set, signal) }
      pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
  }
}

import ArgumentParser
import Foundation
import TensorCore
import Workflows

@main
struct QScope: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "qscope",
    abstract: "Inspect model weights and quantize them per layer (.safetensors, .gguf, .tflite, .keras/.h5).",
    discussion: "With no subcommand, opens FILE (default: the bundled sample model) in the interactive inspector.",
    version: "0.1.0",
    subcommands: [Open.self, Inspect.self, Quantize.self, Dump.self, Eval.self],
    defaultSubcommand: Open.self)
}

extension QScope {
  /// The main job: the interactive inspector.
  struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "open", abstract: "Open a model in the interactive inspector (the default command).")

    @Argument(help: "Model file to open (default: the bundled sample model).")
    var file: String?

    @Option(help: "Theme name or path to a .theme file.")
    var theme: String?

    @Option(help: "Evaluation data (.npz with x and optional y).")
    var data: String?

    mutating func run() throws {
      let path = try file ?? SampleModel.defaultPath()
      // Until the interactive inspector lands, the main job prints the inspect table.
      let (model, _) = try ModelOpener.open(path: path)
      let report = try Inspector.inspect(model, options: .init(scheme: .int8))
      print(report.rendered(as: .table), terminator: "")
    }
  }
}

/// Finds the bundled sample model next to the executable's package.
enum SampleModel {
  static let fileName = "digits-cnn.tflite"
  static let fallbacks = ["digits-cnn.safetensors", "digits-mlp.safetensors"]

  static func defaultPath() throws -> String {
    for folder in Resources.candidateFolders(named: "SampleModels") {
      for name in [fileName] + fallbacks {
        let path = folder + "/" + name
        if FileManager.default.fileExists(atPath: path) { return path }
      }
    }
    throw ValidationError("no FILE given and the bundled SampleModels folder was not found")
  }
}

/// Locates folders shipped with the source tree (SampleModels, Themes) from the executable's path.
enum Resources {
  static func candidateFolders(named name: String) -> [String] {
    var folders: [String] = []
    var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
      .deletingLastPathComponent()
    for _ in 0..<6 {
      folders.append(directory.appendingPathComponent(name).path)
      directory.deleteLastPathComponent()
    }
    folders.append(FileManager.default.currentDirectoryPath + "/" + name)
    return folders
  }
}

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
    subcommands: [Open.self, Inspect.self, Quantize.self, Dump.self, Eval.self, Auto.self, ProbeHDF5.self],
    defaultSubcommand: Open.self)

  static func main() {
    // The probe child itself opens files directly.
    if CommandLine.arguments.dropFirst().first != ProbeHDF5.name { ProbeHDF5.register() }
    main(nil)
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

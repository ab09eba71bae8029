import ArgumentParser
import Foundation
import TensorCore
import Workflows

extension QScope {
  /// Writes one tensor's values, decoded exactly as our reader sees them, for cross-checks.
  struct Dump: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write one tensor's decoded float32 values as a .npy file (for cross-checks with other tools).")

    @Argument(help: "Model file.")
    var file: String

    @Option(help: "Tensor name.")
    var tensor: String

    @Option(name: .shortAndLong, help: "Output .npy file.")
    var output: String

    @Flag(help: "Replace an existing output file.")
    var force = false

    func run() throws {
      let (model, _) = try ModelOpener.open(path: file)
      guard let index = model.tensorIndex(named: tensor) else {
        throw ValidationError("\(file): no tensor named '\(tensor)'")
      }
      let values = try TensorValues.decode(model.tensors[index], file: file)
      let writer = try AtomicFileWriter(destination: output, inputs: [file], overwrite: force)
      try writer.write(NPYWriter.float32(values, shape: model.tensors[index].shape))
      try writer.finishWriting()
      try writer.commit()
    }
  }
}

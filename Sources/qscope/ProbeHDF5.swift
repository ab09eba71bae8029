import ArgumentParser
import ModelFormats

/// The child side of ``HDF5Isolation``: opens a Keras/HDF5 file and exits. Not for users.
struct ProbeHDF5: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: ProbeHDF5.name, abstract: "Internal: open a Keras/HDF5 file in a child process.", shouldDisplay: false)
  static let name = "__probe-hdf5"

  @Argument var file: String

  func run() throws {
    do { _ = try KerasFormat.open(path: file) } catch { throw ExitCode(1) }
  }

  /// Makes every Keras/HDF5 open in this process go through a probe child first.
  static func register() {
    HDF5Isolation.register { path in ["/proc/self/exe", ProbeHDF5.name, path] }
  }
}

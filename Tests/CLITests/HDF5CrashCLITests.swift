import Foundation
import Testing

/// A file that makes libhdf5 1.10 read through a bad pointer (found by the `hdf5` fuzz target):
/// the built binary probes it in a child, so the user gets one line and exit 1 instead of a crash.
@Suite("qscope on a file that crashes libhdf5 (built binary)")
struct HDF5CrashCLITests {
  static let fixture = CLI.packageRoot + "/Tests/CLITests/Fixtures/hdf5-heap-crash.h5"

  @Test func inspectReportsTheCrashedProbe() throws {
    let result = try CLI.run(["inspect", Self.fixture])
    #expect(result.status == 1, "stderr: \(result.stderr)")
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
    #expect(lines.count == 1, "\(result.stderr)")
    #expect(result.stderr.contains(Self.fixture))
    #expect(result.stderr.contains("libhdf5 crashed reading it"))
  }

  @Test func validKerasFilesStillOpenThroughTheProbe() throws {
    for name in ["digits-mlp.h5", "digits-mlp.keras"] {
      let result = try CLI.run(["inspect", CLI.packageRoot + "/SampleModels/" + name])
      #expect(result.status == 0, "\(name): \(result.stderr)")
      #expect(result.stdout.contains("fc1"))
    }
  }
}

import Foundation
import Testing

/// `qscope inspect` on every file of the malformed corpus (Tests/ModelFormatsTests/Fixtures/malformed):
/// exit status 1, exactly one line on stderr naming the file, nothing on stdout, and no crash.
@Suite("qscope inspect on malformed files (built binary)")
struct MalformedCLITests {
  static let folder = CLI.packageRoot + "/Tests/ModelFormatsTests/Fixtures/malformed"

  static let files: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { $0.contains(".") && !$0.hasSuffix(".tsv") && !$0.hasPrefix(".") }.sorted()
  }()

  @Test("the corpus is found")
  func corpusIsFound() {
    #expect(Self.files.count >= 45)
  }

  @Test("each malformed file: exit 1, one stderr line naming it", arguments: files)
  func rejected(_ name: String) throws {
    let path = Self.folder + "/" + name
    let result = try CLI.run(["inspect", path, "--threads", "1"])
    #expect(result.status == 1, "\(name): status \(result.status), stderr: \(result.stderr)")
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
    #expect(lines.count == 1, "\(name): \(result.stderr)")
    #expect(result.stderr.contains(path))
    #expect(result.stdout.isEmpty)
  }

  /// Found by scripts/fuzz: finite values wider apart than Float.greatestFiniteMagnitude trapped
  /// the histogram (Int(NaN)); `inspect --bins` must report them instead.
  @Test("extreme finite values with --bins exit 0 with a histogram")
  func extremeValuesHistogram() throws {
    let folder = try Fixture.folder()
    let path = Fixture.write(
      Fixture.safetensors([("w", [2, 2], [-3e38, 3e38, -1e38, 1e38]), ("same", [3], [1e30, 1e30, 1e30])]),
      to: folder, name: "extreme.safetensors")
    let result = try CLI.run(["inspect", path, "--format", "json", "--bins", "16", "--scheme", "int8"])
    #expect(result.status == 0, "\(result.stderr)")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let tensors = try #require(root["tensors"] as? [[String: Any]])
    for tensor in tensors {
      let histogram = try #require(tensor["histogram"] as? [String: Any])
      let total = (histogram["counts"] as? [Int])?.reduce(0, +)
      #expect(total == (tensor["elements"] as? Int))
    }
  }
}

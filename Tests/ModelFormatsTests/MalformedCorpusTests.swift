import Foundation
import Testing
import TensorCore

@testable import ModelFormats

/// The malformed-file corpus (Fixtures/malformed, made by scripts/make-malformed-corpus.py): each
/// file has one defect and must be rejected through the same front door `qscope inspect` uses,
/// with the specific error recorded in expected.tsv.
///
/// To re-record after an intended message change: `QSCOPE_RECORD_MALFORMED=1 swift test --filter
/// MalformedCorpusTests`, then review the diff of expected.tsv.
@Suite struct MalformedCorpusTests {
  static let folder: URL? = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?
    .appendingPathComponent("malformed")

  /// Every corpus file, by name.
  static let files: [String] = {
    guard let folder else { return [] }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { name in
      var isFolder: ObjCBool = false
      let exists = FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isFolder)
      return exists && !isFolder.boolValue && !name.hasSuffix(".tsv") && !name.hasPrefix(".")
    }.sorted()
  }()

  /// Expected descriptions, with the file's path written as FILE.
  static let expected: [String: String] = {
    guard let folder, let text = try? String(contentsOf: folder.appendingPathComponent("expected.tsv"), encoding: .utf8)
    else { return [:] }
    var table: [String: String] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      let parts = line.split(separator: "\t", maxSplits: 1)
      if parts.count == 2 { table[String(parts[0])] = String(parts[1]) }
    }
    return table
  }()

  static var recording: Bool { ProcessInfo.processInfo.environment["QSCOPE_RECORD_MALFORMED"] == "1" }

  /// Opens `name` and returns the error's description with the path replaced by FILE.
  static func openError(_ name: String) throws -> FormatError? {
    let folder = try #require(Self.folder)
    do {
      _ = try FormatRegistry.open(path: folder.appendingPathComponent(name).path)
      return nil
    } catch {
      return error
    }
  }

  static func normalized(_ error: FormatError, name: String) throws -> String {
    let path = try #require(folder).appendingPathComponent(name).path
    return error.description.replacingOccurrences(of: path, with: "FILE")
  }

  @Test("the corpus covers every format with enough cases")
  func corpusIsPresent() {
    for prefix in ["st-", "gguf-", "tfl-"] {
      #expect(Self.files.filter { $0.hasPrefix(prefix) }.count >= 15, "too few \(prefix) files")
    }
    #expect(Self.recording || Set(Self.expected.keys) == Set(Self.files), "expected.tsv and the corpus differ")
  }

  @Test("each malformed file is rejected with its specific, one-line error", arguments: files)
  func rejected(_ name: String) throws {
    let error = try #require(try Self.openError(name), "\(name) opened without an error")
    let text = try Self.normalized(error, name: name)
    #expect(!text.contains("\n"), "multi-line error")
    #expect(text.hasPrefix("FILE"), "the error must name the file")
    // A model file that exists and is readable never fails at the OS level.
    if case .io = error { Issue.record("\(name): I/O error instead of a format error: \(text)") }
    if Self.recording { return }
    #expect(text == Self.expected[name], "\(name)")
  }

  @Test("re-records expected.tsv when QSCOPE_RECORD_MALFORMED=1", .enabled(if: recording))
  func record() throws {
    var lines = ["# file\texpected error (FILE = the file's path); written by MalformedCorpusTests.record"]
    for name in Self.files {
      guard let error = try Self.openError(name) else { continue }
      lines.append("\(name)\t\(try Self.normalized(error, name: name))")
    }
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/malformed/expected.tsv")
    try (lines.joined(separator: "\n") + "\n").write(to: source, atomically: true, encoding: .utf8)
  }
}

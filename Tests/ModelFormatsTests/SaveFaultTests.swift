import Foundation
import Testing
import TensorCore

@testable import ModelFormats

/// Saves never lose data: a full disk, a read-only or locked folder and an injected write fault
/// each give one clean error, leave no file (temporary or partial) behind, and never touch the
/// input or an existing destination.
///
/// Disk-full and read-only cases mount a tiny tmpfs (needs root, as in this project's sandbox and
/// CI container); the locked folder uses `chattr +i`, which also stops root. Where those are not
/// available the tests are skipped and the injected-fault test still covers the cleanup path.
@Suite(.serialized) struct SaveFaultTests {
  /// One writable model per format, opened from a fixture built in a scratch folder.
  enum Source: String, CaseIterable, CustomTestStringConvertible {
    case safetensors, gguf, tflite
    var testDescription: String { rawValue }

    func open() throws -> Model {
      switch self {
      case .safetensors: return try SafetensorsFormat.open(path: try SafetensorsFixtures.writeModel())
      case .gguf: return try GGUFFormat.open(path: GGUFFixture.write(try GGUFFixture.tinyLlamaFile()))
      case .tflite: return try TFLiteFormat.open(path: try TFLiteTestSupport.fixture("conv.tflite"))
      }
    }

    /// Writes an unchanged copy of `model`.
    func save(_ model: Model, to path: String, options: WriteOptions = .init()) throws {
      let provider: QuantizedDataProvider = { _, _ in throw FormatError.unsupported(file: "", what: "", reason: "unused") }
      switch self {
      case .safetensors: _ = try SafetensorsFormat.write(model, requests: [], provider: provider, to: path, options: options)
      case .gguf: _ = try GGUFFormat.write(model, requests: [], provider: provider, to: path, options: options)
      case .tflite: _ = try TFLiteFormat.write(model, requests: [], provider: provider, to: path, options: options)
      }
    }
  }

  static func run(_ arguments: [String]) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
  }

  /// Mounts a tmpfs of `kilobytes` on a new folder, or returns nil when mounting is not allowed.
  static func mountTmpfs(kilobytes: Int, readOnly: Bool = false) -> String? {
    let folder = NSTemporaryDirectory() + "qscope-tmpfs-\(UUID().uuidString)"
    guard (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)) != nil else { return nil }
    let options = "size=\(kilobytes)k" + (readOnly ? ",ro" : "")
    guard run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", folder]) == 0 else {
      try? FileManager.default.removeItem(atPath: folder)
      return nil
    }
    return folder
  }

  static func unmount(_ folder: String) {
    _ = run(["umount", folder])
    try? FileManager.default.removeItem(atPath: folder)
  }

  static let canMount: Bool = {
    guard let folder = mountTmpfs(kilobytes: 4) else { return false }
    unmount(folder)
    return true
  }()

  /// Writes to `path` until the file system is full, so that the next byte anyone writes fails.
  static func fill(_ path: String) throws {
    let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
    try #require(fd >= 0)
    defer { close(fd) }
    let page = [UInt8](repeating: 0xA5, count: 4096)
    while page.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
    #expect(errno == ENOSPC)
  }

  static func contents(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  /// The error a save raised, as a FileError.
  static func saveError(_ source: Source, _ model: Model, to path: String, options: WriteOptions = .init()) -> FileError? {
    do {
      try source.save(model, to: path, options: options)
      return nil
    } catch let FormatError.io(error) {
      return error
    } catch {
      Issue.record("expected an I/O error, got \(error)")
      return nil
    }
  }

  @Test("a full disk is reported as ENOSPC and leaves nothing behind", .enabled(if: canMount), arguments: Source.allCases)
  func diskFull(_ source: Source) throws {
    let model = try source.open()
    let folder = try #require(Self.mountTmpfs(kilobytes: 64))
    defer { Self.unmount(folder) }
    try Self.fill(folder + "/filler")
    let path = folder + "/out.\(source.rawValue)"
    let error = Self.saveError(source, model, to: path)
    #expect(error == .cannotWrite(path: path, reason: String(cString: strerror(ENOSPC))))
    #expect(Self.contents(folder) == ["filler"])
  }

  @Test("a read-only file system is reported and nothing is created", .enabled(if: canMount), arguments: Source.allCases)
  func readOnlyFolder(_ source: Source) throws {
    let model = try source.open()
    let folder = try #require(Self.mountTmpfs(kilobytes: 64, readOnly: true))
    defer { Self.unmount(folder) }
    let path = folder + "/out.\(source.rawValue)"
    #expect(Self.saveError(source, model, to: path) == .cannotWrite(path: path, reason: String(cString: strerror(EROFS))))
    #expect(Self.contents(folder).isEmpty)
  }

  @Test("a folder that refuses new files (chattr +i) is a clean permission error", arguments: Source.allCases)
  func lockedFolder(_ source: Source) throws {
    let model = try source.open()
    let folder = try SafetensorsFixtures.makeFolder()
    let existing = folder + "/out.\(source.rawValue)"
    try Data("keep me".utf8).write(to: URL(fileURLWithPath: existing))
    guard Self.run(["chattr", "+i", folder]) == 0 else { return }  // no chattr or unsupported file system
    defer { _ = Self.run(["chattr", "-i", folder]) }
    let error = Self.saveError(source, model, to: existing, options: WriteOptions(overwrite: true))
    #expect(error == .cannotWrite(path: existing, reason: String(cString: strerror(EPERM))))
    #expect(Self.contents(folder) == ["out.\(source.rawValue)"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: existing)) == Data("keep me".utf8))
  }

  @Test("an injected write fault keeps the old destination and removes the temporary file", arguments: Source.allCases)
  func injectedFault(_ source: Source) throws {
    let model = try source.open()
    let folder = try SafetensorsFixtures.makeFolder()
    let existing = folder + "/out.\(source.rawValue)"
    try Data("previous".utf8).write(to: URL(fileURLWithPath: existing))
    let options = WriteOptions(overwrite: true, injectedFailureAfterBytes: 100)
    #expect(Self.saveError(source, model, to: existing, options: options) == .cannotWrite(path: existing, reason: String(cString: strerror(ENOSPC))))
    #expect(Self.contents(folder) == ["out.\(source.rawValue)"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: existing)) == Data("previous".utf8))
  }

  @Test("the input is never overwritten, even through a hard link or with overwrite on", arguments: Source.allCases)
  func inputIsProtected(_ source: Source) throws {
    let model = try source.open()
    let before = try Data(contentsOf: URL(fileURLWithPath: model.path))
    #expect(Self.saveError(source, model, to: model.path, options: WriteOptions(overwrite: true)) == .wouldOverwriteInput(path: model.path))
    let link = try SafetensorsFixtures.makeFolder() + "/link.\(source.rawValue)"
    try FileManager.default.linkItem(atPath: model.path, toPath: link)
    #expect(Self.saveError(source, model, to: link, options: WriteOptions(overwrite: true)) == .wouldOverwriteInput(path: link))
    #expect(try Data(contentsOf: URL(fileURLWithPath: model.path)) == before)
  }

  @Test("a successful save in a folder leaves exactly the destination", arguments: Source.allCases)
  func cleanSuccess(_ source: Source) throws {
    let model = try source.open()
    let folder = try SafetensorsFixtures.makeFolder()
    try source.save(model, to: folder + "/out.\(source.rawValue)")
    #expect(Self.contents(folder) == ["out.\(source.rawValue)"])
  }
}

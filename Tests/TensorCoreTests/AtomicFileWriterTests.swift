import Foundation
import Testing
@testable import TensorCore

@Suite("Atomic file writes")
struct AtomicFileWriterTests {
  func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "qscope-atomic-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  func files(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  @Test("commit renames the temp file; nothing else is left")
  func commit() throws {
    let folder = try temporaryFolder()
    let writer = try AtomicFileWriter(destination: folder + "/out.bin")
    try writer.write([1, 2, 3])
    #expect(!FileManager.default.fileExists(atPath: folder + "/out.bin"))
    try writer.finishWriting()
    try writer.commit()
    #expect(files(in: folder) == ["out.bin"])
    #expect(FileManager.default.contents(atPath: folder + "/out.bin") == Data([1, 2, 3]))
  }

  @Test("refuses to overwrite the input or an existing file without permission")
  func refusals() throws {
    let folder = try temporaryFolder()
    let input = folder + "/in.bin"
    FileManager.default.createFile(atPath: input, contents: Data([9]))
    #expect(throws: FileError.wouldOverwriteInput(path: folder + "/./in.bin")) {
      try AtomicFileWriter(destination: folder + "/./in.bin", inputs: [input], overwrite: true)
    }
    #expect(throws: FileError.exists(path: input)) { try AtomicFileWriter(destination: input) }
    #expect(files(in: folder) == ["in.bin"])
  }

  @Test("a full disk leaves no partial file and the old file intact")
  func injectedFailure() throws {
    let folder = try temporaryFolder()
    let target = folder + "/out.bin"
    FileManager.default.createFile(atPath: target, contents: Data([7, 7]))
    let writer = try AtomicFileWriter(destination: target, overwrite: true)
    writer.injectedFailureAfterBytes = 10
    try writer.write([UInt8](repeating: 1, count: 100))
    #expect(throws: FileError.self) { try writer.finishWriting() }
    writer.abort()
    #expect(files(in: folder) == ["out.bin"])
    #expect(FileManager.default.contents(atPath: target) == Data([7, 7]))
  }

  @Test("an unwritable folder is reported, not a crash")
  func unwritableFolder() {
    #expect(throws: FileError.self) { try AtomicFileWriter(destination: "/nonexistent-folder/x.bin") }
  }

  @Test("mapped files expose exact bytes and refuse directories")
  func mapping() throws {
    let folder = try temporaryFolder()
    let path = folder + "/m.bin"
    FileManager.default.createFile(atPath: path, contents: Data([5, 6, 7]))
    let file = try MappedFile(path: path)
    #expect(Array(file.bytes) == [5, 6, 7])
    #expect(throws: ByteReaderError.self) { try file.slice(offset: 2, count: 2) }
    #expect(throws: FileError.notARegularFile(path: folder)) { try MappedFile(path: folder) }
    #expect(throws: FileError.self) { try MappedFile(path: folder + "/missing") }
    FileManager.default.createFile(atPath: folder + "/empty", contents: Data())
    #expect(try MappedFile(path: folder + "/empty").count == 0)
  }
}

import Foundation
import Testing
@testable import TensorCore

@Suite("Atomic write, verify, rename")
struct AtomicFileWriterVerifiedTests {
  struct Rejected: Error, CustomStringConvertible { var description: String { "byte 1 is wrong" } }

  func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "qscope-verified-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  @Test("the check sees the written bytes before the destination exists; then the file is renamed in")
  func passes() throws {
    let folder = try temporaryFolder(), destination = folder + "/out.bin"
    var seen: Data?
    try AtomicFileWriter.writeVerified([7, 8, 9], to: destination, overwrite: false) { (path: String) throws(Rejected) in
      seen = FileManager.default.contents(atPath: path)
      #expect(!FileManager.default.fileExists(atPath: destination))
    }
    #expect(seen == Data([7, 8, 9]))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.bin"])
  }

  @Test("a failed check leaves the old destination and no temporary file, and names the reason")
  func fails() throws {
    let folder = try temporaryFolder(), destination = folder + "/out.bin"
    FileManager.default.createFile(atPath: destination, contents: Data([1]))
    do {
      try AtomicFileWriter.writeVerified([7, 8, 9], to: destination, overwrite: true) { (_: String) throws(Rejected) in throw Rejected() }
      Issue.record("the failed check was ignored")
    } catch {
      #expect(error == .verificationFailed(path: destination, reason: "byte 1 is wrong"))
    }
    #expect(FileManager.default.contents(atPath: destination) == Data([1]))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.bin"])
  }
}

import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Findings of the `hdf5` fuzz target, rebuilt from a valid file so the cause stays visible.
@Suite struct FuzzHDF5RegressionTests {
  /// Offset of the first global heap collection's free-space object, walking it as HDF5 does.
  func freeSpaceObject(in bytes: [UInt8]) throws -> Int {
    let signature = Array("GCOL".utf8)
    let start = try #require((0..<(bytes.count - 16)).first { bytes[$0..<($0 + 4)].elementsEqual(signature) })
    var object = start + 16
    while true {
      let index = Int(bytes[object]) | Int(bytes[object + 1]) << 8
      if index == 0 { return object }
      let size = (0..<8).reduce(0) { $0 | Int(bytes[object + 8 + $1]) << (8 * $1) }
      object += 16 + (size + 7) / 8 * 8
    }
  }

  /// A free-space object of size 0 made libhdf5 1.10 loop forever reading `model_config`
  /// (found by the fuzzer within seconds). It is now refused before libhdf5 reads the heap.
  @Test func zeroSizedHeapFreeSpaceIsRefusedNotHung() throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: KerasTestSupport.fixture("seq-dense.h5"))))
    let object = try freeSpaceObject(in: bytes)
    for i in 0..<8 { bytes[object + 8 + i] = 0 }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("qscope-heap-\(getpid()).h5").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
      _ = try KerasFormat.open(path: path)
      Issue.record("a corrupt global heap was accepted")
    } catch {
      #expect(error.description.contains("corrupt global heap"))
      #expect(error.description.contains(path))
    }
  }

  /// A hard link making a layer group its own child sent the weights reader into unbounded
  /// recursion (a stack overflow, found by the `keras` fuzz target). It is now a clear error.
  @Test func cyclicLayerGroupsAreAnErrorNotARecursion() throws {
    let path = try KerasTestSupport.fixture("cyclic-groups.keras")
    do {
      _ = try KerasFormat.open(path: path)
      Issue.record("a cyclic group structure was accepted")
    } catch {
      #expect(error.description.contains("cyclic or corrupt links"))
      #expect(error.description.contains("cyclic-groups.keras"))
    }
  }

  /// The check must not refuse valid files, including ones whose weights hold the letters "GCOL".
  @Test func validFilesAndChanceMatchesPass() throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: KerasTestSupport.fixture("seq-dense.h5"))))
    try bytes.withUnsafeBytes { try HDF5HeapCheck.validate($0) }
    // A chance "GCOL" followed by garbage is not a collection libhdf5 would use.
    bytes += Array("GCOL".utf8) + [1, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 64)
    try bytes.withUnsafeBytes { try HDF5HeapCheck.validate($0) }
  }
}

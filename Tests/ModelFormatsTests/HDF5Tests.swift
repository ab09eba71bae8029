import Foundation
import Testing
@testable import ModelFormats

@Suite struct HDF5Tests {
  @Test func inMemoryFileRoundTripsGroupsDatasetsAndAttributes() throws {
    let file = try HDF5File.createInMemory()
    let root = try file.root()
    let vars = try root.createGroup("layers/dense/vars")
    try vars.writeStringAttribute("name", "dense_é")
    try vars.createDataset("0", type: .int8, shape: [2, 3], bytes: [1, 2, 3, 0xFF, 0xFE, 0x81])
    try vars.createDataset("10", type: .float32, shape: [1], bytes: [0, 0, 0x80, 0x3F])
    let image = try file.image()
    let keeper = MappedFileBox(image)
    let reopened = try image.withUnsafeBytes { raw in try HDF5File.openInPlace(raw, owner: keeper) }
    let group = try reopened.root().group("layers/dense/vars")
    #expect(try group.stringAttribute("name") == "dense_é")
    #expect(try group.memberNames() == ["0", "10"])
    let dataset = try group.dataset("0")
    #expect(try dataset.shape() == [2, 3])
    #expect(try dataset.elementType() == .integer(size: 1, signed: true, littleEndian: true))
    #expect(try dataset.readStored(count: 6) == [1, 2, 3, 0xFF, 0xFE, 0x81])
    #expect(try group.dataset("10").readFloats(count: 1) == [0, 0, 0x80, 0x3F])
    #expect(dataset.contiguousOffset() != nil)
  }

  @Test func missingObjectsAreErrorsNotCrashes() throws {
    let file = try HDF5File.createInMemory()
    let root = try file.root()
    #expect(!root.contains("a/b/c"))
    #expect(root.kind(of: "nothing") == nil)
    #expect(throws: HDF5Error.self) { _ = try root.group("nothing") }
    #expect(throws: HDF5Error.self) { _ = try root.dataset("nothing") }
    #expect(try root.stringAttribute("absent") == nil)
  }

  @Test func garbageIsNotOpened() throws {
    let junk = [UInt8](repeating: 0x42, count: 4096)
    let keeper = MappedFileBox(junk)
    #expect(throws: HDF5Error.self) { _ = try junk.withUnsafeBytes { try HDF5File.openInPlace($0, owner: keeper) } }
    var fake = [UInt8]([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) + [UInt8](repeating: 0xFF, count: 600)
    fake[9] = 0
    #expect(throws: HDF5Error.self) { _ = try fake.withUnsafeBytes { try HDF5File.openInPlace($0, owner: keeper) } }
  }

  @Test func fixedLengthNullPaddedNameListsKeepEveryCharacter() throws {
    let path = try KerasTestSupport.fixture("keras2-legacy.h5")
    let file = try HDF5File.open(path: path)
    let weights = try file.root().group("model_weights")
    #expect(try weights.stringsAttribute("layer_names") == ["x", "dense", "sub"])
    #expect(try weights.group("dense").stringsAttribute("weight_names") == ["dense/kernel:0", "dense/bias:0"])
  }
}

/// Keeps test bytes alive while HDF5 uses them in place.
final class MappedFileBox {
  let bytes: [UInt8]
  init(_ bytes: [UInt8]) { self.bytes = bytes }
}

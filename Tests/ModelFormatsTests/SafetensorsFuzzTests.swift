import Testing
import TensorCore

@testable import ModelFormats

@Suite struct SafetensorsFuzzTests {
  @Test("every strict prefix of a valid file is rejected with an error, never a crash")
  func everyPrefixThrows() throws {
    let source = try SafetensorsFixtures.writeModel()
    let bytes = try SafetensorsFixtures.read(source)
    let path = try SafetensorsFixtures.makeFolder() + "/cut.safetensors"
    var failures: [Int] = []
    for length in 0..<bytes.count {
      try SafetensorsFixtures.write(Array(bytes[0..<length]), to: path)
      do {
        _ = try SafetensorsFormat.open(path: path)
        failures.append(length)
      } catch {
        // Expected: each cut is a truncation or an incomplete header.
      }
    }
    #expect(failures.isEmpty, "prefixes that opened: \(failures)")
    try SafetensorsFixtures.write(bytes, to: path)
    #expect(try SafetensorsFormat.open(path: path).tensors.count == SafetensorsFixtures.smallModel().count)
  }

  @Test("single-byte corruptions of the header either open or throw, never crash")
  func byteFlips() throws {
    let source = try SafetensorsFixtures.writeModel()
    let bytes = try SafetensorsFixtures.read(source)
    let path = try SafetensorsFixtures.makeFolder() + "/flip.safetensors"
    let headerEnd = min(bytes.count, 8 + Int(bytes[0]) + Int(bytes[1]) * 256)
    var rejected = 0
    let replacements: [UInt8] = [0x00, 0x22, 0x2C, 0x39, 0x5D, 0x7D, 0xFF]
    for position in stride(from: 0, to: headerEnd, by: 3) {
      var corrupt = bytes
      corrupt[position] = replacements[position % replacements.count]
      if corrupt[position] == bytes[position] { continue }
      try SafetensorsFixtures.write(corrupt, to: path)
      do { _ = try SafetensorsFormat.open(path: path) } catch { rejected += 1 }
    }
    #expect(rejected > 0)
  }
}

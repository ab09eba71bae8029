import Foundation
import Testing

/// Loads the reference vectors written by scripts/make-ggml-vectors.py.
enum Fixtures {
  struct Manifest: Decodable {
    struct Case: Decodable { let name: String; let offset: Int; let count: Int }
    struct Decoded: Decodable { let type: String; let count: Int }
    let cases: [Case]
    let quantized: [String]
    let decoded: [Decoded]
  }

  static func url(_ name: String, folder: String = "ggml") throws -> URL {
    try #require(Bundle.module.url(forResource: "Fixtures/\(folder)/\(name)", withExtension: nil))
  }

  static func bytes(_ name: String, folder: String = "ggml") throws -> [UInt8] {
    [UInt8](try Data(contentsOf: url(name, folder: folder)))
  }

  static func floats(_ name: String, folder: String = "ggml") throws -> [Float] {
    let raw = try bytes(name, folder: folder)
    return stride(from: 0, to: raw.count - 3, by: 4).map { i in
      Float(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24)
    }
  }

  static func manifest() throws -> Manifest {
    try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url("manifest.json")))
  }
}

/// Deterministic pseudo-random values (xorshift + Box–Muller), so tests need no seeds from Foundation.
struct TestRandom {
  var state: UInt64

  init(seed: UInt64) { state = seed | 1 }

  mutating func next() -> UInt64 {
    state ^= state << 13; state ^= state >> 7; state ^= state << 17
    return state
  }

  mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }

  mutating func normal() -> Float {
    let u1 = max(uniform(), 1e-7), u2 = uniform()
    return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
  }

  mutating func normals(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in normal() * scale } }
}

/// Bit-level equality that treats every NaN payload as itself.
func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

func firstMismatch(_ a: [Float], _ b: [Float]) -> String {
  for i in 0..<min(a.count, b.count) where a[i].bitPattern != b[i].bitPattern {
    return "index \(i): \(a[i]) vs \(b[i])"
  }
  return a.count == b.count ? "none" : "count \(a.count) vs \(b.count)"
}

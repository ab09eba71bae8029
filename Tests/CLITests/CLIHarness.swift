import Foundation
import Testing

/// Runs the built `qscope` binary and captures what it printed.
struct CLIResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

enum CLI {
  /// The qscope executable next to the test bundle (or $QSCOPE_BIN).
  static var binary: String {
    if let explicit = ProcessInfo.processInfo.environment["QSCOPE_BIN"], !explicit.isEmpty { return explicit }
    let runner = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
    var folder = runner.deletingLastPathComponent()
    // On Linux the runner is .build/<config>/X.xctest; on macOS it sits inside a bundle.
    for _ in 0..<4 {
      let candidate = folder.appendingPathComponent("qscope").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      folder.deleteLastPathComponent()
    }
    return runner.deletingLastPathComponent().appendingPathComponent("qscope").path
  }

  static var packageRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
  }

  @discardableResult
  static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes before waiting so a large output cannot fill a pipe and stall the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIResult(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}

/// Small model files written byte by byte, independent of the readers under test.
enum Fixture {
  static func folder() throws -> String {
    let path = NSTemporaryDirectory() + "qscope-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// A safetensors file of float32 tensors (name, shape, values), in the given order.
  static func safetensors(_ tensors: [(String, [Int], [Float])], metadata: [String: String] = ["format": "pt"]) -> Data {
    var header: [String] = []
    if !metadata.isEmpty {
      header.append("\"__metadata__\":{" + metadata.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",") + "}")
    }
    var payload = Data()
    for (name, shape, values) in tensors {
      let begin = payload.count
      for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
      header.append("\"\(name)\":{\"dtype\":\"F32\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(begin),\(payload.count)]}")
    }
    var json = Array("{" + header.joined(separator: ",") + "}").map { String($0) }.joined()
    while (json.utf8.count % 8) != 0 { json += " " }
    var file = Data()
    withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { file.append(contentsOf: $0) }
    file.append(contentsOf: Array(json.utf8))
    file.append(payload)
    return file
  }

  /// A two-layer PyTorch-style MLP with deterministic weights.
  static func mlp(nan: Bool = false) -> Data {
    func values(_ count: Int, seed: Float) -> [Float] {
      (0..<count).map { i in 0.1 + 2 * cos(Float(i) + seed) * (i % 7 == 0 ? 3 : 1) / 10 }
    }
    var w1 = values(64 * 32, seed: 0.5)
    if nan { w1[5] = .nan }
    return safetensors([
      ("fc1.weight", [32, 64], w1),
      ("fc1.bias", [32], values(32, seed: 1)),
      ("norm.weight", [32], [Float](repeating: 1, count: 32)),
      ("fc2.weight", [10, 32], values(320, seed: 2)),
      ("fc2.bias", [10], values(10, seed: 3)),
    ])
  }

  static func write(_ data: Data, to folder: String, name: String) -> String {
    let path = folder + "/" + name
    FileManager.default.createFile(atPath: path, contents: data)
    return path
  }
}

import Foundation
import ModelFormats
import TensorCore
import Workflows
import ZIPFoundation

/// The Keras paths that are entirely ours: the input becomes config.json inside an otherwise valid
/// `.keras` archive (the real weights of SampleModels/digits-mlp.keras), which is opened, inspected
/// and converted to a TFLite graph. Mutating the JSON rather than the zip reaches the layer-graph,
/// shape-inference and conversion code that zip-level mutations almost never get past.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKerasConfig(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let config = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
  guard let archive = kerasArchive(config: config) else { abort() }
  let path = fuzzInputPath + ".keras"
  guard FileManager.default.createFile(atPath: path, contents: archive) else { abort() }
  fuzzInspect { () throws(FormatError) in
    let model = try KerasFormat.open(path: path)
    _ = try? KerasToTFLite.convert(model)
    return model
  }
  return 0
}

/// metadata.json and model.weights.h5 of the base model, read once (as byte arrays: a global
/// holding Data slices shows up as a leak under LeakSanitizer).
private let baseMembers: [(String, [UInt8])] = {
  let root = ProcessInfo.processInfo.environment["QSCOPE_ROOT"] ?? FileManager.default.currentDirectoryPath
  let path = root + "/SampleModels/digits-mlp.keras"
  guard let bytes = FileManager.default.contents(atPath: path), let archive = try? Archive(data: bytes, accessMode: .read) else {
    FileHandle.standardError.write(Data("fuzz-kerasconfig: cannot read \(path); set QSCOPE_ROOT to the repository\n".utf8))
    abort()
  }
  var members: [(String, [UInt8])] = []
  for name in ["metadata.json", "model.weights.h5"] {
    guard let entry = archive[name] else { abort() }
    var member: [UInt8] = []
    guard (try? archive.extract(entry, consumer: { member.append(contentsOf: $0) })) != nil else { abort() }
    members.append((name, member))
  }
  return members
}()

/// A STORED zip with the base members and `config` as config.json, in Keras's member order.
private func kerasArchive(config: [UInt8]) -> Data? {
  guard let archive = try? Archive(accessMode: .create) else { return nil }
  let members = [baseMembers[0], ("config.json", config), baseMembers[1]]
  for (name, bytes) in members {
    let added: Void? = try? archive.addEntry(
      with: name, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .none
    ) { position, size in
      let from = Int(position)
      return Data(bytes[from..<min(bytes.count, from + size)])
    }
    guard added != nil else { return nil }
  }
  return archive.data
}

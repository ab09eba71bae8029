import Foundation
import TensorCore
import ZIPFoundation

/// Zips `.keras` members the way Keras does (STORED, in order) and commits them atomically.
enum KerasArchiveWriter {
  static func commit(
    members: [(String, [UInt8])], to path: String, model: Model, quantized: [KerasQuantizedLayer], options: WriteOptions
  ) throws(FormatError) {
    let bytes = try zip(members, path: path)
    do {
      try AtomicFileWriter.writeVerified(
        bytes, to: path, inputs: [model.path], overwrite: options.overwrite,
        injectedFailureAfterBytes: options.injectedFailureAfterBytes
      ) { written throws(FormatError) in try verify(written, against: model, quantized: quantized) }
    } catch { throw .io(error) }
  }

  static func zip(_ members: [(String, [UInt8])], path: String) throws(FormatError) -> [UInt8] {
    do {
      let archive = try Archive(accessMode: .create)
      for (name, bytes) in members {
        try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .none) { position, size in
          let start = Int(position)
          return Data(bytes[start..<min(bytes.count, start + size)])
        }
      }
      guard let data = archive.data else { throw Archive.ArchiveError.unwritableArchive }
      return [UInt8](data)
    } catch {
      throw .unsupported(file: path, what: "zip output", reason: "\(error)")
    }
  }

  /// Re-opens the written archive with our own reader: same tensors, int8 where we quantized,
  /// and untouched tensors byte-identical.
  static func verify(_ written: String, against model: Model, quantized: [KerasQuantizedLayer]) throws(FormatError) {
    let reread = try KerasFormat.openArchive(path: written)
    let changedLayers = Set(quantized.map(\.layerIndex))
    guard let context = model.formatContext as? KerasContext else { return }
    for (index, tensor) in model.tensors.enumerated() {
      if let layer = context.refs[index].layerIndex, changedLayers.contains(layer) { continue }
      guard let match = reread.tensors.first(where: { $0.name == tensor.name }),
        match.location.bytes.elementsEqual(tensor.location.bytes)
      else {
        throw .badTensor(file: written, tensor: tensor.name, offset: nil, reason: "missing or changed although it was not rewritten")
      }
    }
    for layer in quantized {
      let name = model.layers.indices.contains(layer.layerIndex) ? model.layers[layer.layerIndex].name : "?"
      guard reread.tensors.contains(where: { $0.layer == name && $0.dtype == .i8 }) else {
        throw .badTensor(file: written, tensor: name, offset: nil, reason: "the int8 weight did not read back")
      }
    }
  }
}

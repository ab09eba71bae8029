import TensorCore

/// Builds a new `model.weights.h5` in memory: every object is copied from the source file as it is
/// (HDF5 object copy keeps data, types and attributes), except the `vars` groups of layers written
/// in int8, which get Keras 3's int8 variable list.
enum KerasWeightsRewriter {
  static func rebuild(_ source: HDF5File, quantized: [KerasQuantizedLayer], file: String) throws(FormatError) -> [UInt8] {
    do throws(HDF5Error) {
      let target = try HDF5File.createInMemory()
      let sourceRoot = try source.root(), targetRoot = try target.root()
      try targetRoot.copyAttributes(from: sourceRoot)
      var byVars: [String: KerasQuantizedLayer] = [:]
      for layer in quantized { byVars[layer.varsPath] = layer }
      try copyTree(from: sourceRoot, to: targetRoot, relative: "", rewrites: byVars)
      return try target.image()
    } catch {
      throw .invalid(file: file, what: "rewritten model.weights.h5", offset: nil, reason: error.description)
    }
  }

  static func copyTree(from source: HDF5Group, to target: HDF5Group, relative: String, rewrites: [String: KerasQuantizedLayer]) throws(HDF5Error) {
    for name in try source.memberNames() {
      let path = relative.isEmpty ? name : relative + "/" + name
      if let layer = rewrites[path] {
        let group = try target.createGroup(name)
        let original = try source.group(name)
        try group.copyAttributes(from: original)
        try writeVars(layer, into: group, from: source.file.root())
      } else if rewrites.keys.contains(where: { $0.hasPrefix(path + "/") }) {
        let original = try source.group(name)
        let group = try target.createGroup(name)
        try group.copyAttributes(from: original)
        try copyTree(from: original, to: group, relative: path, rewrites: rewrites)
      } else {
        try target.copy(name, from: source)
      }
    }
  }

  /// Dense, EinsumDense: 0 int8 kernel, [1 bias], then kernel_scale; Embedding: 0 int8 table, 1 embeddings_scale.
  static func writeVars(_ layer: KerasQuantizedLayer, into group: HDF5Group, from sourceRoot: HDF5Group) throws(HDF5Error) {
    try group.createDataset("0", type: .int8, shape: layer.shape, bytes: layer.values)
    var next = 1
    for kept in layer.keptDatasets {
      guard let slash = kept.lastIndex(of: "/") else { continue }
      let parent = try sourceRoot.group(String(kept[..<slash]))
      try group.copy(String(kept[kept.index(after: slash)...]), from: parent, as: String(next))
      next += 1
    }
    try group.createDataset(String(next), type: layer.scaleType, shape: layer.scaleShape, bytes: layer.scaleBytes)
  }
}

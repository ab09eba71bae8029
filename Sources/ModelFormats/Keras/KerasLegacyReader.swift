import TensorCore

/// Reads legacy `.h5` files: Keras 2 / tf.keras and Keras 3's legacy writer (`model.save("x.h5")`),
/// full-model or weights-only.
///
/// Layers sit in groups named by the user's layer name, listed in model order by `layer_names`;
/// each lists its datasets in `weight_names`, paths relative to the layer group (tf.keras adds
/// ":0", nested models add the inner layer's name), so we never assume a depth.
struct KerasLegacyReader {
  var root: HDF5Group
  var factory: KerasTensorFactory
  var path: String
  var tensors: [ModelTensor] = []
  var refs: [KerasTensorRef] = []
  var layers: [ModelLayer] = []
  var notes: [String] = []

  init(root: HDF5Group, factory: KerasTensorFactory, path: String) {
    self.root = root; self.factory = factory; self.path = path
  }

  /// A name list attribute, joining the `name0`, `name1`, ... chunks Keras writes for long lists.
  static func nameList(_ object: some HDF5Object, _ name: String) throws(HDF5Error) -> [String]? {
    if let whole = try object.stringsAttribute(name) { return whole }
    var parts: [String] = []
    var chunk = 0
    while let piece = try object.stringsAttribute("\(name)\(chunk)") {
      parts += piece
      chunk += 1
    }
    return chunk > 0 ? parts : nil
  }

  /// The tensor name for a weight of `layer`: tf.keras writes "dense/kernel:0" (or "inner/kernel:0"
  /// for a nested model's layer), Keras 3 writes variable paths that may start with the model's
  /// name ("seq/hidden/kernel"). Whatever precedes the layer's own name is dropped, ":0" too.
  static func displayName(_ weightName: String, layer: String) -> String {
    let trimmed = weightName.hasSuffix(":0") ? String(weightName.dropLast(2)) : weightName
    var parts = trimmed.split(separator: "/").map(String.init)
    guard let variable = parts.popLast() else { return layer + "/" + trimmed }
    if let at = parts.lastIndex(of: layer) { parts = Array(parts[(at + 1)...]) }
    return ([layer] + parts + [variable]).joined(separator: "/")
  }

  /// Lists layers from `weightsGroup` ("model_weights" or "" for the root) in `layer_names` order;
  /// `specs` (from model_config) supply classes and config facts.
  mutating func read(weightsGroup: String, specs: [KerasLayerSpec]) throws(FormatError) {
    let group: HDF5Group
    let layerNames: [String]
    do throws(HDF5Error) {
      group = weightsGroup.isEmpty ? root : try root.group(weightsGroup)
      guard let names = try KerasLegacyReader.nameList(group, "layer_names") else {
        throw HDF5Error(path: group.path, reason: "no 'layer_names' attribute")
      }
      layerNames = names
    } catch { throw .invalid(file: path, what: "legacy Keras weights", offset: nil, reason: error.description) }
    let specByPath = Dictionary(specs.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    let specIndex = Dictionary(specs.indices.map { (specs[$0].path, $0) }, uniquingKeysWith: { first, _ in first })
    var byLayer: [String: [Int]] = [:]
    var order: [String] = []
    for layerName in layerNames {
      let layerGroup = (weightsGroup.isEmpty ? "" : weightsGroup + "/") + layerName
      let weightNames: [String]
      do throws(HDF5Error) {
        let g = try root.group(layerGroup)
        weightNames = try KerasLegacyReader.nameList(g, "weight_names") ?? []
      } catch {
        notes.append("warning: layer '\(layerName)' is listed in layer_names but its group '/\(layerGroup)' cannot be read: \(error.reason)")
        continue
      }
      if specByPath[layerName] != nil || weightNames.isEmpty { order.append(layerName) }
      for weightName in weightNames {
        let display = KerasLegacyReader.displayName(weightName, layer: layerName)
        let owner = display.split(separator: "/").dropLast().joined(separator: "/")
        let variable = String(display.split(separator: "/").last ?? "")
        let spec = specByPath[owner] ?? specByPath[layerName]
        let className = spec?.className ?? "?"
        let datasetPath = layerGroup + "/" + weightName
        guard root.kind(of: datasetPath) == .dataset else {
          notes.append("warning: layer '\(owner)' lists weight '\(weightName)' but '/\(datasetPath)' is not in the file")
          continue
        }
        let dataset: HDF5Dataset
        do { dataset = try root.dataset(datasetPath) } catch {
          throw .badTensor(file: path, tensor: display, offset: nil, reason: error.description)
        }
        let (made, problem) = try factory.tensor(dataset, name: display)
        if let problem { notes.append("warning: \(problem)") }
        guard var tensor = made else { continue }
        let traits = KerasLayerKinds.traits(className: className, variable: variable, rank: tensor.shape.count)
        tensor.layer = owner
        tensor.op = spec?.className
        tensor.role = traits.role
        tensor.isQuantizable = traits.quantizable && tensor.dtype.isFloatingPoint
        tensor.channelAxis = traits.axis
        if byLayer[owner] == nil, !order.contains(owner) { order.append(owner) }
        byLayer[owner, default: []].append(tensors.count)
        tensors.append(tensor)
        refs.append(KerasTensorRef(datasetPath: datasetPath, variable: variable, layerIndex: specIndex[owner]))
      }
    }
    // Model order from the config where there is one; layers only the weights know follow.
    var listed: Set<String> = []
    for spec in specs { listed.insert(spec.path) }
    for spec in specs {
      let known = KerasLayerKinds.variableNames(className: spec.className, config: spec.config) != nil
      var details = KerasLayerKinds.details(spec.config, className: spec.className)
      if !known { details.insert("unknown layer class", at: 0) }
      // Keras 2 names a recurrent layer's weights after its cell ("lstm/lstm_cell/kernel"): owners
      // below the layer that no config layer claims belong to it.
      let nested = order.filter { $0.hasPrefix(spec.path + "/") && !listed.contains($0) }
      var indices = byLayer[spec.path] ?? []
      for owner in nested {
        indices += byLayer[owner] ?? []
        listed.insert(owner)
      }
      layers.append(ModelLayer(name: spec.path, kind: known ? spec.className : "\(spec.className) (unknown)",
                               tensorIndices: indices, details: details))
    }
    for name in order where !listed.contains(name) {
      layers.append(ModelLayer(name: name, kind: nil, tensorIndices: byLayer[name] ?? []))
    }
  }
}

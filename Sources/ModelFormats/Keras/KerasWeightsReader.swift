import TensorCore

/// Reads a Keras 3 weights file (`model.weights.h5` inside a `.keras`, or a `.weights.h5`) against
/// the layers of config.json.
///
/// Groups are named by class and counter, not by layer name, and HDF5 lists members by name, so
/// order always comes from the config; variables sort numerically ("10" after "9"). Since Keras 3.6
/// each `vars` group also records the real layer name, which we prefer when present.
struct KerasWeightsReader {
  var root: HDF5Group
  var factory: KerasTensorFactory
  var path: String

  var tensors: [ModelTensor] = []
  var refs: [KerasTensorRef] = []
  var layers: [ModelLayer] = []
  var layerGroups: [String?] = []
  var notes: [String] = []
  var claimed: Set<String> = []
  /// Sub-object groups entered so far, bounded by ``maxGroupVisits``.
  var visitedGroups = 0
  static let maxGroupDepth = 16
  static let maxGroupVisits = 20_000

  init(root: HDF5Group, factory: KerasTensorFactory, path: String) {
    self.root = root; self.factory = factory; self.path = path
  }

  /// Lists every config layer with its variables, then any weights no config layer claimed.
  mutating func read(_ specs: [KerasLayerSpec]) throws(FormatError) {
    var nameMaps: [String: [String: String]] = [:]
    for (index, spec) in specs.enumerated() {
      if nameMaps[spec.containerGroup] == nil { nameMaps[spec.containerGroup] = try groupsByLayerName(spec.containerGroup) }
      var group = nameMaps[spec.containerGroup]?[spec.name] ?? spec.counterGroup
      if let candidate = group, root.kind(of: candidate) != .group { group = nil }
      // Keras 2.12–2.14 archives put layers under `_layer_checkpoint_dependencies`.
      if group == nil, let counter = spec.counterGroup {
        let legacy = counter.replacingOccurrences(of: "layers/", with: "_layer_checkpoint_dependencies/")
        if root.kind(of: legacy) == .group { group = legacy }
      }
      layerGroups.append(group)
      let expected = KerasLayerKinds.variableNames(className: spec.className, config: spec.config)
      let known = expected != nil
      var indices: [Int] = []
      if let group {
        claimed.insert(group)
        indices = try readLayerGroup(group, className: spec.className, config: spec.config, layerPath: spec.path, expected: expected,
                                     layerIndex: index)
      } else if expected?.isEmpty == false || !known {
        if expected?.isEmpty == false {
          notes.append("warning: layer '\(spec.path)' (\(spec.className)) has no weights in the file: group '/\(spec.counterGroup ?? spec.name)' is missing")
        }
      }
      var details = KerasLayerKinds.details(spec.config, className: spec.className)
      if !known { details.insert("unknown layer class: variables listed by index", at: 0) }
      layers.append(ModelLayer(name: spec.path, kind: known ? spec.className : "\(spec.className) (unknown)",
                               tensorIndices: indices, details: details))
    }
  }

  /// Maps layer names (the `name` attribute of `<child>/vars`) to their groups inside `container`.
  func groupsByLayerName(_ container: String) throws(FormatError) -> [String: String] {
    guard root.kind(of: container) == .group else { return [:] }
    var map: [String: String] = [:]
    do {
      for child in try root.group(container).memberNames() {
        let vars = container + "/" + child + "/vars"
        guard root.kind(of: vars) == .group, let name = try root.group(vars).stringAttribute("name") else { continue }
        map[name] = container + "/" + child
      }
    } catch { throw .invalid(file: path, what: "weights group '/\(container)'", offset: nil, reason: error.description) }
    return map
  }

  /// Reads `<group>/vars` with the class's variable names, then sub-objects (`cell`, `query_dense`).
  mutating func readLayerGroup(
    _ group: String, className: String, config: KerasJSON = .object([]), layerPath: String, expected: [String]?,
    layerIndex: Int?, depth: Int = 0
  ) throws(FormatError) -> [Int] {
    // HDF5 hard links can make a group its own descendant, or fan one group out exponentially:
    // Keras nests sub-objects only a few levels deep, so anything far beyond is a corrupt file.
    visitedGroups += 1
    guard depth <= Self.maxGroupDepth, visitedGroups <= Self.maxGroupVisits else {
      throw .invalid(file: path, what: "layer '\(layerPath)' group '/\(group)'", offset: nil,
                     reason: "sub-object groups nest deeper than \(Self.maxGroupDepth) levels or repeat more than \(Self.maxGroupVisits) times (cyclic or corrupt links)")
    }
    var indices = try readVars(group + "/vars", names: expected, className: className, prefix: layerPath, layerIndex: layerIndex)
    let children: [String]
    do { children = try root.group(group).memberNames() } catch {
      throw .invalid(file: path, what: "layer '\(layerPath)' group '/\(group)'", offset: nil, reason: error.description)
    }
    for child in children where child != "vars" && root.kind(of: group + "/" + child) == .group {
      let subClass = KerasLayerKinds.subObjectClass(parent: className, child: child, config: config) ?? "?"
      // A Bidirectional's directions carry the wrapped layer's config (use_bias decides the cell's variables).
      let subConfig = className == "Bidirectional" ? (config["layer"]?["config"] ?? .object([])) : .object([])
      let names = KerasLayerKinds.variableNames(className: subClass, config: subConfig)
      indices += try readLayerGroup(group + "/" + child, className: subClass, config: subConfig, layerPath: layerPath + "/" + child,
                                    expected: names, layerIndex: layerIndex, depth: depth + 1)
    }
    return indices
  }

  mutating func readVars(
    _ varsPath: String, names: [String]?, className: String, prefix: String, layerIndex: Int?
  ) throws(FormatError) -> [Int] {
    guard root.kind(of: varsPath) == .group else { return [] }
    let members: [String]
    do { members = try root.group(varsPath).memberNames() } catch {
      throw .invalid(file: path, what: "layer '\(prefix)' group '/\(varsPath)'", offset: nil, reason: error.description)
    }
    // Dataset names are decimal indices; name order puts "10" before "2".
    let numbered = members.compactMap { name in Int(name).map { ($0, name) } }.sorted { $0.0 < $1.0 }
    var names = names
    if let expected = names, expected.count != numbered.count {
      notes.append("warning: layer '\(prefix)' (\(className)) has \(numbered.count) variables in '/\(varsPath)', expected \(expected.count) (\(expected.joined(separator: ", "))); listed by index")
      names = nil
    }
    var indices: [Int] = []
    for (position, (index, member)) in numbered.enumerated() {
      let variable = names?[position] ?? "var_\(index)"
      let datasetPath = varsPath + "/" + member
      let dataset: HDF5Dataset
      do { dataset = try root.dataset(datasetPath) } catch {
        throw .badTensor(file: path, tensor: prefix + "/" + variable, offset: nil, reason: error.description)
      }
      let (made, problem) = try factory.tensor(dataset, name: prefix + "/" + variable)
      if let problem { notes.append("warning: \(problem)") }
      guard var tensor = made else { continue }
      let traits = KerasLayerKinds.traits(className: className, variable: variable, rank: tensor.shape.count)
      tensor.layer = prefix
      tensor.op = className
      tensor.role = traits.role
      tensor.isQuantizable = traits.quantizable && tensor.dtype.isFloatingPoint
      tensor.channelAxis = traits.axis
      indices.append(tensors.count)
      tensors.append(tensor)
      refs.append(KerasTensorRef(datasetPath: datasetPath, variable: variable, layerIndex: layerIndex))
    }
    return indices
  }

  /// Lists `layers/*` groups no config layer claimed (weights-only files, subclassed models).
  mutating func readUnclaimed(container: String = "layers", prefix: String = "") throws(FormatError) {
    guard root.kind(of: container) == .group else { return }
    let children: [String]
    do { children = try root.group(container).memberNames() } catch {
      throw .invalid(file: path, what: "weights group '/\(container)'", offset: nil, reason: error.description)
    }
    for child in children {
      let group = container + "/" + child
      guard !claimed.contains(group), root.kind(of: group) == .group else { continue }
      let display = prefix + child
      if root.kind(of: group + "/layers") == .group {
        try readUnclaimed(container: group + "/layers", prefix: display + "/")
        continue
      }
      let name = (try? root.group(group + "/vars").stringAttribute("name")) ?? nil
      let className = KerasWeightsReader.guessClass(child)
      let expected = className.flatMap { KerasLayerKinds.variableNames(className: $0, config: .object([])) }
      let indices = try readLayerGroup(group, className: className ?? "?", layerPath: name.map { prefix + $0 } ?? display,
                                       expected: expected, layerIndex: nil)
      layers.append(ModelLayer(name: name.map { prefix + $0 } ?? display, kind: className, tensorIndices: indices,
                               details: ["group /\(group)"]))
    }
  }

  /// The class a snake-case group name most likely came from ("dense_3" → "Dense").
  static func guessClass(_ group: String) -> String? {
    var base = group
    if let underscore = base.lastIndex(of: "_"), Int(base[base.index(after: underscore)...]) != nil {
      base = String(base[..<underscore])
    }
    let known = ["dense": "Dense", "einsum_dense": "EinsumDense", "embedding": "Embedding", "conv1d": "Conv1D",
                 "conv2d": "Conv2D", "conv3d": "Conv3D", "depthwise_conv2d": "DepthwiseConv2D",
                 "batch_normalization": "BatchNormalization", "layer_normalization": "LayerNormalization"]
    return known[base]
  }
}

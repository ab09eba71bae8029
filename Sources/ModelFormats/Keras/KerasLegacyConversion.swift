import Foundation
import TensorCore

/// Writes a legacy full-model `.h5` as a Keras 3 `.keras` archive: the legacy `model_config` becomes
/// config.json, and every layer's weights move from `/model_weights/<name>/...` to the group a
/// Keras 3 archive gives it (`layers/<snake_class>[_n]/vars/0..`), in the layer's save order.
///
/// The `model_config` goes into config.json as it is plus the top-level `module` Keras 3 needs to
/// find the model class: a Keras 3 file's config already is Keras 3's serialization, and Keras 3's
/// Functional and InputLayer still accept Keras 2's `inbound_nodes` and `batch_input_shape`. A
/// Keras 2 model nesting another model is refused: Keras 3 cannot rebuild that graph at all.
enum KerasLegacyConversion {
  /// Layer classes whose legacy weights are exactly their Keras 3 `vars` (no sub-objects).
  static func ownsItsVariables(_ className: String) -> Bool {
    !["LSTM", "GRU", "SimpleRNN", "Bidirectional", "TimeDistributed", "MultiHeadAttention", "ConvLSTM2D"].contains(className)
  }

  /// Why `model` (a legacy .h5) cannot be written as a .keras, or nil when it can.
  static func problem(_ model: Model, context: KerasContext) -> String? {
    guard context.kind == .legacy, let config = context.config else {
      return "this \(context.kind == .legacyWeightsOnly ? "legacy weights-only .h5" : "weights-only .weights.h5") file has no architecture, so there is no .keras to write; load the weights into the model in Keras and save it as .keras"
    }
    let version = model.metadata.first { $0.key == "keras_version" }?.value ?? "unknown"
    if !version.hasPrefix("3."), context.layers.contains(where: { $0.indexPath.count > 1 }) {
      // Keras 2 numbers a nested model's call nodes from 1; Keras 3 cannot rebuild such a graph
      // (its own load_model fails on the .h5 too), so a .keras of it would not load either.
      return "this .h5 was written by Keras \(version) and nests a model inside the model; Keras 3 cannot rebuild such a Keras 2 graph (its own load_model fails on it), so there is no .keras to write"
    }
    guard ["Sequential", "Functional", "Model"].contains(config.className) else {
      return "the model class \(config.className) is not Sequential or Functional; Keras needs its Python code to rebuild it"
    }
    var counts: [Int: Int] = [:]
    for (index, ref) in context.refs.enumerated() {
      guard let layer = ref.layerIndex else {
        return "weight '\(model.tensors[index].name)' belongs to no layer of model_config"
      }
      counts[layer, default: 0] += 1
    }
    for (index, spec) in context.layers.enumerated() {
      guard ownsItsVariables(spec.className),
        let variables = KerasLayerKinds.variableNames(className: spec.className, config: spec.config)
      else {
        return "layer '\(spec.path)' (\(spec.className)) keeps weights in sub-objects or is unknown; QuantScope does not rebuild its .keras layout"
      }
      guard variables.count == counts[index, default: 0] else {
        return "layer '\(spec.path)' (\(spec.className)) has \(counts[index, default: 0]) weights in the file, Keras 3 expects \(variables.count)"
      }
    }
    return nil
  }

  /// metadata.json, config.json and model.weights.h5 of the converted model, with `quantized`
  /// layers in int8.
  static func members(
    _ model: Model, context: KerasContext, quantized: [KerasQuantizedLayer], file: String
  ) throws(FormatError) -> [(String, [UInt8])] {
    guard let config = context.config else {
      throw .unsupported(file: model.path, what: "Keras output", reason: "the file has no model_config")
    }
    var root = KerasConfigEditor.quantizing(
      config.root, layers: quantized.map { (context.layers[$0.layerIndex].indexPath, $0.sourcePolicy) })
    let functional = config.className == "Functional"
    root = KerasConfigEditor.setting("module", in: root) { old in old == .null ? .string(functional ? "keras.src.models.functional" : "keras") : old }
    root = KerasConfigEditor.setting("registered_name", in: root) { old in old == .null && functional ? .string("Functional") : old }
    let version = model.metadata.first { $0.key == "keras_version" }?.value ?? "3"
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd@HH:mm:ss"
    let metadata = KerasJSON.object([
      .init(key: "keras_version", value: .string(version), offset: 0),
      .init(key: "date_saved", value: .string(formatter.string(from: Date())), offset: 0),
    ])
    return [
      (KerasArchive.metadataMember, Array(metadata.compactText().utf8)),
      (KerasArchive.configMember, Array(root.compactText().utf8)),
      (KerasArchive.weightsMember, try weights(model, context: context, quantized: quantized, file: file)),
    ]
  }

  /// A Keras 3 weights file: `/vars` for the model, then every layer's `vars` group named as Keras
  /// names it (with the `name` attribute Keras 3.6+ writes), weights copied or written in int8.
  static func weights(
    _ model: Model, context: KerasContext, quantized: [KerasQuantizedLayer], file: String
  ) throws(FormatError) -> [UInt8] {
    do throws(HDF5Error) {
      let target = try HDF5File.createInMemory()
      let targetRoot = try target.root(), sourceRoot = try context.weights.root()
      try targetRoot.createGroup("vars").writeStringAttribute("name", context.config?.name ?? "model")
      var byLayer: [Int: KerasQuantizedLayer] = [:]
      for layer in quantized { byLayer[layer.layerIndex] = layer }
      for (index, spec) in context.layers.enumerated() {
        let vars = try targetRoot.createGroup((spec.counterGroup ?? "layers/" + spec.name) + "/vars")
        try vars.writeStringAttribute("name", spec.name)
        if let layer = byLayer[index] {
          try KerasWeightsRewriter.writeVars(layer, into: vars, from: sourceRoot)
          continue
        }
        // Legacy weight_names list trainable then non-trainable weights, the order Keras 3 saves.
        for (position, ref) in context.refs.filter({ $0.layerIndex == index }).enumerated() {
          guard let slash = ref.datasetPath.lastIndex(of: "/") else { continue }
          let parent = try sourceRoot.group(String(ref.datasetPath[..<slash]))
          try vars.copy(String(ref.datasetPath[ref.datasetPath.index(after: slash)...]), from: parent, as: String(position))
        }
      }
      return try target.image()
    } catch {
      throw .invalid(file: file, what: "converted model.weights.h5", offset: nil, reason: error.description)
    }
  }
}

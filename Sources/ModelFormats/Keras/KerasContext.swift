import TensorCore

/// Which flavour of Keras file a model came from.
enum KerasFileKind: String, Sendable {
  /// Keras 3 `.keras` zip archive.
  case archive
  /// Keras 3 weights-only `.weights.h5` (same layout as the archive's weights member).
  case weightsOnly
  /// Legacy full-model `.h5` (`model_config` + `/model_weights`).
  case legacy
  /// Legacy weights-only `.h5` (`layer_names` at the root).
  case legacyWeightsOnly
}

/// Where one model tensor came from, for the writer.
struct KerasTensorRef: Sendable {
  /// HDF5 path of the dataset, relative to the root ("layers/dense/vars/0").
  var datasetPath: String
  /// Keras variable name ("kernel").
  var variable: String
  /// Index into ``KerasContext/layers``, nil for tensors outside any config layer.
  var layerIndex: Int?
}

/// Format-private state kept in ``Model/formatContext``.
struct KerasContext: Sendable {
  var kind: KerasFileKind
  var archive: KerasArchive?
  var config: KerasModelConfig?
  /// Config layers in model order with the HDF5 group each resolved to.
  var layers: [KerasLayerSpec]
  var layerGroups: [String?]
  /// Parallel to ``Model/tensors``.
  var refs: [KerasTensorRef]
  /// The open weights file, used by the writer to copy untouched objects.
  var weights: HDF5File
}

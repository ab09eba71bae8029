import Foundation
import ModelFormats
import QuantEngine
import TensorCore
import Workflows

/// One weight tensor as the layer list shows it, with what the file's format can store for it.
public struct TensorRow: Sendable, Equatable {
  public var index: Int
  public var name: String
  public var layer: String?
  public var op: String?
  public var shape: [Int]
  public var dtype: String
  public var elements: Int
  public var bytes: Int
  public var isQuantizable: Bool
  public var group: Int
  /// For each scheme: nil when the format can store it, else why not.
  public var refusals: [Scheme: String]
  /// Stored bytes of each scheme the engine can size for this shape.
  public var storedBytes: [Scheme: Int]
  public var note: String?

  /// The schemes offered for this tensor: storable ones, in the scheme table's order.
  public var storableSchemes: [Scheme] { Scheme.allCases.filter { refusals[$0] == nil } }
}

/// A layer (or op) heading in the list.
public struct TensorGroup: Sendable, Equatable {
  public var name: String
  public var kind: String?
  public var tensors: [Int]
}

/// What the inspector knows about the open model, independent of the plan.
public struct ModelSummary: Sendable {
  public var path: String
  public var fileName: String
  public var format: ModelFormatKind
  public var fileBytes: Int
  public var rows: [TensorRow]
  public var groups: [TensorGroup]
  public var metadata: [MetadataEntry]
  public var notes: [String]
  public var layerCount: Int

  /// Summarizes `model`, asking `format` which schemes it can store for every tensor.
  public init(model: Model, format: any ModelFormat.Type) {
    path = model.path
    fileName = URL(fileURLWithPath: model.path).lastPathComponent
    self.format = model.format
    fileBytes = model.fileBytes
    metadata = model.metadata
    notes = model.notes
    layerCount = model.layers.count
    var groupIndex: [String: Int] = [:]
    var groups: [TensorGroup] = []
    var kinds: [String: String] = [:]
    for layer in model.layers { if let kind = layer.kind { kinds[layer.name] = kind } }
    var rows: [TensorRow] = []
    for (index, tensor) in model.tensors.enumerated() {
      let key = tensor.layer ?? tensor.op ?? "(ungrouped)"
      let group: Int
      if let existing = groupIndex[key] {
        group = existing
      } else {
        group = groups.count
        groupIndex[key] = group
        groups.append(TensorGroup(name: key, kind: kinds[key] ?? tensor.op, tensors: []))
      }
      groups[group].tensors.append(index)
      var refusals: [Scheme: String] = [:]
      var stored: [Scheme: Int] = [:]
      for scheme in Scheme.allCases {
        if case .notStorable(let reason) = format.canStore(scheme.encoding(channelAxis: tensor.channelAxis), tensor: tensor, in: model) {
          refusals[scheme] = reason
        }
        if let bytes = try? Quantizer.storedBytes(scheme: scheme, shape: tensor.shape, channelAxis: tensor.channelAxis) {
          stored[scheme] = bytes
        } else if refusals[scheme] == nil {
          refusals[scheme] = "the shape does not fit \(scheme.rawValue)"
        }
      }
      rows.append(TensorRow(
        index: index, name: tensor.name, layer: tensor.layer, op: tensor.op, shape: tensor.shape,
        dtype: tensor.dtype.rawValue, elements: tensor.elementCount, bytes: tensor.byteCount,
        isQuantizable: tensor.isQuantizable, group: group, refusals: refusals, storedBytes: stored, note: tensor.note))
    }
    self.rows = rows
    self.groups = groups
  }

  /// A summary from ready-made parts (tests, previews).
  public init(
    path: String, format: ModelFormatKind, fileBytes: Int, rows: [TensorRow], groups: [TensorGroup],
    metadata: [MetadataEntry] = [], notes: [String] = []
  ) {
    self.path = path
    self.fileName = URL(fileURLWithPath: path).lastPathComponent
    self.format = format
    self.fileBytes = fileBytes
    self.rows = rows
    self.groups = groups
    self.metadata = metadata
    self.notes = notes
    self.layerCount = groups.count
  }

  public var totalElements: Int { rows.reduce(0) { $0 &+ $1.elements } }
}

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
  /// The tensor's imatrix entry, summarized (nil without an imatrix or without an entry).
  public var importance: ImportanceMatrix.Summary?
  /// Why the imatrix entry does not fit the tensor, if it does not.
  public var importanceProblem: String?

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
  /// The imatrix file given with --imatrix, if any.
  public var importancePath: String?
  /// Formats the model can be converted to and saved as (keras → tflite).
  public var conversionTargets: [ModelFormatKind] = []
  /// Files of a split GGUF (1 otherwise).
  public var shardCount = 1
  /// What the model's own format can store, kept to restore after another output format.
  public var ownFacts = FormatFacts(refusals: [], storedBytes: [], fileBytes: 0)
  /// Rows the output format re-encodes only all together (an LSTM's weights), and each member
  /// row's group.
  public private(set) var jointGroups: [JointTensorGroup] = []
  public private(set) var jointGroupOfRow: [Int: Int] = [:]

  /// Summarizes `model`, asking `format` which schemes it can store for every tensor; with
  /// `importance`, each tensor's imatrix entry is summarized too.
  public init(model: Model, format: any ModelFormat.Type, importance: ImportanceMatrix? = nil, importancePath: String? = nil) {
    self.importancePath = importance == nil ? nil : (importancePath ?? "imatrix")
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
      // An entry that does not fit the tensor is reported, not summarized.
      let importanceProblem = importance?.vector(for: tensor).problem
      rows.append(TensorRow(
        index: index, name: tensor.name, layer: tensor.layer, op: tensor.op, shape: tensor.shape,
        dtype: tensor.dtype.rawValue, elements: tensor.elementCount, bytes: tensor.byteCount,
        isQuantizable: tensor.isQuantizable, group: group, refusals: refusals, storedBytes: stored, note: tensor.note,
        importance: importanceProblem == nil ? importance?.summary(for: tensor.name) : nil, importanceProblem: importanceProblem))
    }
    self.rows = rows
    self.groups = groups
    setJointGroups(format.jointGroups(in: model))
    conversionTargets = (ModelConversion.supported[model.format] ?? []).sorted { $0.rawValue < $1.rawValue }
    shardCount = max(1, GGUFFormat.parsedFile(of: model)?.shardPaths.count ?? 1)
    ownFacts = facts(matching: self)
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
    ownFacts = facts(matching: self)
  }

  /// What `other` (the same model in another format) can store for each of these rows, matched
  /// by tensor name; a tensor the other model lacks can only be kept. A row that became several
  /// tensors of the same name (a Keras LSTM kernel split into its four gate matrices) is refused
  /// a scheme any of them refuses and takes their sizes summed.
  public func facts(matching other: ModelSummary) -> FormatFacts {
    var byName: [String: [Int]] = [:]
    for (i, row) in other.rows.enumerated() { byName[row.name, default: []].append(i) }
    var byOwnName: [String: Int] = [:]
    for (i, row) in rows.enumerated() where byOwnName[row.name] == nil { byOwnName[row.name] = i }
    var refusals: [[Scheme: String]] = []
    var stored: [[Scheme: Int]] = []
    for row in rows {
      if let matches = byName[row.name], let first = matches.first {
        var refused = other.rows[first].refusals
        var sizes = other.rows[first].storedBytes
        for m in matches.dropFirst() {
          refused.merge(other.rows[m].refusals) { kept, _ in kept }
          sizes = Self.summed(sizes, other.rows[m].storedBytes)
        }
        refusals.append(refused)
        stored.append(sizes)
      } else {
        refusals.append(Dictionary(uniqueKeysWithValues: Scheme.allCases.map { ($0, "not in the \(other.format.rawValue) model") }))
        stored.append([:])
      }
    }
    let joint = other.jointGroups.map { group in
      var mapped = group
      var seen: Set<Int> = []
      var missing = 0
      mapped.members = []
      for m in group.members {
        guard m < other.rows.count, let own = byOwnName[other.rows[m].name] else { missing += 1; continue }
        if seen.insert(own).inserted { mapped.members.append(own) }
      }
      mapped.unplannable += missing
      return mapped
    }
    return FormatFacts(refusals: refusals, storedBytes: stored, fileBytes: other.fileBytes, jointGroups: joint)
  }

  /// Per scheme, the sum of two tensors' stored sizes; a scheme one of them lacks (or whose sum
  /// overflows) has no size.
  static func summed(_ a: [Scheme: Int], _ b: [Scheme: Int]) -> [Scheme: Int] {
    var result: [Scheme: Int] = [:]
    for (scheme, x) in a {
      guard let y = b[scheme] else { continue }
      let (sum, overflow) = x.addingReportingOverflow(y)
      if !overflow { result[scheme] = sum }
    }
    return result
  }

  /// Replaces the joint groups (members are row indices).
  public mutating func setJointGroups(_ groups: [JointTensorGroup]) {
    jointGroups = groups.map { group in
      var kept = group
      kept.members = group.members.filter { rows.indices.contains($0) }
      kept.unplannable += group.members.count - kept.members.count
      return kept
    }
    jointGroupOfRow = [:]
    for (g, group) in jointGroups.enumerated() { for m in group.members where jointGroupOfRow[m] == nil { jointGroupOfRow[m] = g } }
  }

  public var totalElements: Int { rows.reduce(0) { $0 &+ $1.elements } }
}

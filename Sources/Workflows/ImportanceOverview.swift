import ModelFormats
import TensorCore

/// Per-tensor importance of one model under an importance matrix (llama.cpp imatrix), ready for a
/// tensor list: each tensor's summary, how it compares with the model's other tensors, and whether
/// the entry fits the tensor the way llama-quantize requires.
///
/// Built once per (model, matrix) pair; lookups are by model tensor index or name.
public struct ImportanceOverview: Sendable {
  /// One tensor's importance.
  public struct Entry: Sendable, Equatable {
    /// Columns, mean, min, max, peak ratio, fraction above the mean (``ImportanceMatrix/summary(for:)``).
    public var summary: ImportanceMatrix.Summary
    /// The tensor's mean importance divided by the median of all matched tensors' means:
    /// 1 is typical for this model, 4 means four times the typical activation energy.
    public var relativeMean: Double
    /// Rank by mean importance among matched tensors, 1 = most important.
    public var rank: Int
    /// Why the entry does not fit the tensor (wrong length), nil when llama-quantize can use it.
    public var problem: String?
  }

  /// Where the matrix came from (for titles), nil when not known.
  public var path: String?
  /// Entries by index into ``Model/tensors``; tensors without an imatrix entry are absent.
  public private(set) var entries: [Int: Entry]
  /// Names of quantizable tensors the matrix has no entry for (llama-quantize then quantizes them
  /// without importance; IQ1/IQ2 types would refuse them).
  public private(set) var missing: [String]
  /// Matrix entries that name no tensor of the model (a matrix from another model, or pruned layers).
  public private(set) var unused: [String]

  /// Matches every tensor of `model` against `matrix` by name.
  public init(model: Model, matrix: ImportanceMatrix, path: String? = nil) {
    self.path = path
    var found: [(index: Int, summary: ImportanceMatrix.Summary, problem: String?)] = []
    var missing: [String] = []
    var names = Set<String>()
    for (index, tensor) in model.tensors.enumerated() {
      names.insert(tensor.name)
      guard let summary = matrix.summary(for: tensor.name) else {
        if tensor.isQuantizable { missing.append(tensor.name) }
        continue
      }
      found.append((index, summary, matrix.vector(for: tensor).problem))
    }
    let means = found.map(\.summary.mean).sorted()
    let median = ImportanceOverview.median(of: means)
    let byMean = found.indices.sorted { found[$0].summary.mean > found[$1].summary.mean }
    var ranks = [Int](repeating: 0, count: found.count)
    for (position, i) in byMean.enumerated() { ranks[i] = position + 1 }
    var entries: [Int: Entry] = [:]
    for (i, item) in found.enumerated() {
      let relative = median > 0 ? item.summary.mean / median : 0
      entries[item.index] = Entry(summary: item.summary, relativeMean: relative, rank: ranks[i], problem: item.problem)
    }
    self.entries = entries
    self.missing = missing
    self.unused = matrix.entries.keys.filter { !names.contains($0) }.sorted()
  }

  /// Loads the matrix at `path` (GGUF or legacy .dat) and matches it against `model`.
  public static func load(path: String, for model: Model) throws(WorkflowError) -> ImportanceOverview {
    do {
      return ImportanceOverview(model: model, matrix: try ImportanceMatrix.load(path: path), path: path)
    } catch {
      throw .format(error)
    }
  }

  /// The entry of the tensor at `index` in ``Model/tensors``, nil without one.
  public func entry(forTensorAt index: Int) -> Entry? { entries[index] }

  /// How many tensors have an entry.
  public var matchedCount: Int { entries.count }

  /// A short cell for a tensor list: the relative mean ("2.3×"), "-" without an entry, "!" when
  /// the entry does not fit the tensor.
  public func cell(forTensorAt index: Int) -> String {
    guard let entry = entries[index] else { return "-" }
    if entry.problem != nil { return "!" }
    return Format.number(entry.relativeMean, digits: 2) + "×"
  }

  /// The mean of the relative means of a layer's tensors that have entries, nil when none has.
  public func layerRelativeMean(_ layer: ModelLayer) -> Double? {
    let values = layer.tensorIndices.compactMap { entries[$0]?.relativeMean }
    guard !values.isEmpty else { return nil }
    return values.reduce(0, +) / Double(values.count)
  }

  static func median(of sorted: [Double]) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  }
}

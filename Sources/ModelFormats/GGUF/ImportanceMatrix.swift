import TensorCore

/// llama.cpp's importance matrix (imatrix): per weight tensor, the mean squared activation of each
/// input column over a calibration run — how much each column of a row matters.
public struct ImportanceMatrix: Sendable {
  /// Which file layout the matrix came from.
  public enum Layout: String, Sendable { case gguf, legacyDat = "legacy .dat" }

  /// Per weight-tensor name: one value per input column (times experts, for MoE tensors), already
  /// divided by the number of tokens seen, as llama-quantize uses it.
  public var entries: [String: [Float]]
  /// Per tensor: tokens (calls) seen, per expert for the GGUF layout, one value for legacy files.
  public var counts: [String: [Int]]
  /// `imatrix.chunk_count` (GGUF) or the legacy trailer's last chunk.
  public var chunks: Int?
  public var chunkSize: Int?
  public var datasets: [String]
  public var layout: Layout

  public init(entries: [String: [Float]], counts: [String: [Int]] = [:], chunks: Int? = nil, chunkSize: Int? = nil, datasets: [String] = [], layout: Layout) {
    self.entries = entries; self.counts = counts; self.chunks = chunks; self.chunkSize = chunkSize
    self.datasets = datasets; self.layout = layout
  }

  /// Loads either layout, told apart by the GGUF magic.
  public static func load(path: String) throws(FormatError) -> ImportanceMatrix {
    let file: MappedFile
    do { file = try MappedFile(path: path) } catch { throw .io(error) }
    let bytes = file.bytes
    if bytes.count >= 4 && GGUFFormat.probe(head: UnsafeRawBufferPointer(rebasing: bytes[0..<4]), path: path) {
      return try loadGGUF(bytes, file: path)
    }
    return try loadLegacy(bytes, file: path)
  }

  /// Summary numbers for one tensor's importance vector (for inspect and the TUI).
  public struct Summary: Sendable, Equatable {
    public var columns: Int
    public var mean: Double
    public var min: Float
    public var max: Float
    /// max / mean: how concentrated the importance is in a few columns.
    public var peakRatio: Double
    /// Fraction of columns above the mean.
    public var aboveMean: Double
  }

  public func summary(for tensor: String) -> Summary? {
    guard let values = entries[tensor], !values.isEmpty else { return nil }
    var sum = 0.0
    var low = Float.infinity, high = -Float.infinity
    for v in values { sum += Double(v); low = Swift.min(low, v); high = Swift.max(high, v) }
    let mean = sum / Double(values.count)
    let above = values.filter { Double($0) > mean }.count
    return Summary(
      columns: values.count, mean: mean, min: low, max: high, peakRatio: mean > 0 ? Double(high) / mean : 0,
      aboveMean: Double(above) / Double(values.count))
  }

  /// The keys llama-quantize records in a file quantized with this matrix.
  public func outputMetadata(path: String) -> [GGUFKeyValue] {
    var keys = [
      GGUFKeyValue(key: "quantize.imatrix.file", value: .string(path)),
      GGUFKeyValue(key: "quantize.imatrix.entries_count", value: .uint32(UInt32(clamping: entries.count))),
    ]
    if let first = datasets.first { keys.append(GGUFKeyValue(key: "quantize.imatrix.dataset", value: .string(first))) }
    if let chunks { keys.append(GGUFKeyValue(key: "quantize.imatrix.chunks_count", value: .uint32(UInt32(clamping: chunks)))) }
    return keys
  }
}

extension ImportanceMatrix {
  /// The importance vector for a tensor if its length fits the tensor the way llama-quantize
  /// requires (row length × experts); nil when absent, with a reason when it does not fit.
  public func vector(for tensor: ModelTensor) -> (values: [Float]?, problem: String?) {
    guard let values = entries[tensor.name] else { return (nil, nil) }
    // numpy order: the row is the last axis; experts (ggml ne2) the first of three.
    let row = tensor.shape.last ?? 1
    let experts = tensor.shape.count == 3 ? tensor.shape[0] : 1
    guard let expected = Checked.multiply(row, experts), values.count == expected else {
      return (nil, "imatrix entry for '\(tensor.name)' has \(values.count) values, expected \(row) per row × \(experts) expert(s)")
    }
    return (values, nil)
  }
}

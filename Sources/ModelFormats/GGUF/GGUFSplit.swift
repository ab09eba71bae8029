import TensorCore

/// llama.cpp's split GGUF (`gguf-split`): one model in N files named `<prefix>-00001-of-0000N.gguf`.
///
/// The first shard carries all metadata plus `split.no` = 0, `split.count` = N and
/// `split.tensors.count` (tensors over all shards); every later shard carries its own `split.no`
/// and `split.count` and a share of the tensors. Only the first shard may be opened, as llama.cpp
/// demands, and every shard must be present and agree.
public struct GGUFSplitName: Sendable, Hashable {
  /// Path without the `-00001-of-0000N.gguf` tail.
  public var prefix: String
  /// 1-based shard number, as in the file name.
  public var number: Int
  public var count: Int

  public init(prefix: String, number: Int, count: Int) {
    self.prefix = prefix; self.number = number; self.count = count
  }

  /// Parses `<prefix>-NNNNN-of-MMMMM.gguf` (five or more digits each), nil for other names.
  public init?(path: String) {
    let suffix = ".gguf"
    guard path.hasSuffix(suffix) else { return nil }
    let stem = path.dropLast(suffix.count)
    let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count >= 4, parts[parts.count - 2] == "of" else { return nil }
    let numberText = parts[parts.count - 3], countText = parts[parts.count - 1]
    guard numberText.count >= 5, countText.count >= 5, numberText.allSatisfy(\.isASCIIDigit),
      countText.allSatisfy(\.isASCIIDigit), let number = Int(numberText), let count = Int(countText),
      number >= 1, number <= count
    else { return nil }
    self.init(prefix: parts[0..<(parts.count - 3)].joined(separator: "-"), number: number, count: count)
  }

  /// The path of shard `number` (1-based): `<prefix>-%05d-of-%05d.gguf`.
  public func path(ofShard number: Int) -> String {
    "\(prefix)-\(Self.fiveDigits(number))-of-\(Self.fiveDigits(count)).gguf"
  }

  static func fiveDigits(_ n: Int) -> String {
    let text = String(n)
    return String(repeating: "0", count: max(0, 5 - text.count)) + text
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

/// The split keys of one parsed shard.
struct GGUFSplitKeys {
  /// 0-based shard index (`split.no`).
  var index: Int
  var count: Int
  /// `split.tensors.count`; only the first shard must carry it.
  var tensorCount: Int?

  /// Reads the split keys, nil when the file is not split (no `split.count`, or a count of 1).
  /// A count above 1 needs `split.no` (llama.cpp refuses the file without it).
  static func read(_ file: GGUFFile, path: String) throws(FormatError) -> GGUFSplitKeys? {
    guard let countValue = file["split.count"] else { return nil }
    guard let count = countValue.intValue, count >= 1, count <= 99_999 else {
      throw .invalid(file: path, what: "metadata key 'split.count'", offset: nil, reason: "must be a shard count from 1 to 99999")
    }
    // One shard is a whole model; like llama.cpp, look no further.
    if count == 1 { return nil }
    guard let indexValue = file["split.no"] else {
      throw .invalid(file: path, what: "metadata key 'split.no'", offset: nil, reason: "missing, but split.count is \(count)")
    }
    guard let index = indexValue.intValue, index >= 0, index < count else {
      throw .invalid(file: path, what: "metadata key 'split.no'", offset: nil, reason: "must be a shard index below split.count \(count)")
    }
    var tensorCount: Int?
    if let value = file["split.tensors.count"] {
      guard let n = value.intValue, n >= 0 else {
        throw .invalid(file: path, what: "metadata key 'split.tensors.count'", offset: nil, reason: "must be a non-negative integer")
      }
      tensorCount = n
    }
    return GGUFSplitKeys(index: index, count: count, tensorCount: tensorCount)
  }
}

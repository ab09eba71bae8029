/// Why a FlatBuffer was rejected. Offsets are byte positions in the file.
public enum FlatBufferError: Error, Equatable, Sendable, CustomStringConvertible {
  case badIdentifier(expected: String, found: String)
  case outOfRange(what: String, offset: Int, needed: Int, available: Int)
  case misaligned(what: String, offset: Int, alignment: Int)
  case invalid(what: String, offset: Int, reason: String)
  case tooDeep(offset: Int, limit: Int)
  case tooManyTables(limit: Int)
  /// Data the schema does not describe (e.g. a union member from a newer schema) that must be
  /// understood for the requested operation.
  case unsupported(what: String, reason: String)

  public var description: String {
    switch self {
    case let .badIdentifier(expected, found):
      return "file identifier is '\(found)', expected '\(expected)'"
    case let .outOfRange(what, offset, needed, available):
      return "\(what) at offset \(offset) runs past the end of the data (need \(needed) bytes, \(available) available)"
    case let .misaligned(what, offset, alignment):
      return "\(what) at offset \(offset) is not aligned to \(alignment) bytes"
    case let .invalid(what, offset, reason):
      return "\(what) at offset \(offset): \(reason)"
    case let .tooDeep(offset, limit):
      return "tables nested deeper than \(limit) levels at offset \(offset)"
    case let .tooManyTables(limit):
      return "more than \(limit) tables"
    case let .unsupported(what, reason):
      return "\(what): \(reason)"
    }
  }

  /// The file offset the problem was found at, when there is one.
  public var offset: Int? {
    switch self {
    case let .outOfRange(_, offset, _, _), let .misaligned(_, offset, _), let .invalid(_, offset, _),
      let .tooDeep(offset, _):
      return offset
    default:
      return nil
    }
  }
}

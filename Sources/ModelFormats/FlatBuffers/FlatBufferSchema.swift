/// What a FlatBuffers reader needs to know about a schema to walk (and verify) every byte.
///
/// FlatBuffers data is not self-describing: a field slot holds either a scalar or an offset, and
/// only the schema says which. This is that knowledge, reduced to one ``FieldKind`` per field id.
public struct FlatBufferSchema: Sendable {
  /// The kind of one field slot.
  public enum FieldKind: Sendable, Equatable {
    /// An inline scalar of 1, 2, 4 or 8 bytes.
    case scalar(size: Int)
    case string
    case table(String)
    /// A union value; its type tag is the scalar field just before it.
    case union(String)
    /// A vector of inline scalars; `alignment` is at least `elementSize` (schema `force_align`).
    case vector(elementSize: Int, alignment: Int)
    case tableVector(String)
    case stringVector
  }

  /// Field kinds by table name, indexed by field id.
  public let tables: [String: [FieldKind]]
  /// Union members by union name; tag k names member k − 1 (tag 0 is NONE).
  public let unions: [String: [String]]

  public init(tables: [String: [FieldKind]], unions: [String: [String]]) {
    self.tables = tables; self.unions = unions
  }

  /// Builds a schema from compact token strings (see scripts/gen-tflite-schema.py for the grammar).
  /// Unknown tokens are a programmer error in the generated table, so they trap in debug builds and
  /// become 4-byte scalars otherwise.
  public init(specs: [String: String], unions: [String: [String]]) {
    var tables: [String: [FieldKind]] = [:]
    for (name, spec) in specs {
      tables[name] = spec.split(separator: " ").map { FlatBufferSchema.kind(of: String($0)) }
    }
    self.init(tables: tables, unions: unions)
  }

  static func kind(of token: String) -> FieldKind {
    switch token {
    case "1", "2", "4", "8": return .scalar(size: Int(token) ?? 4)
    case "S": return .string
    case "VS": return .stringVector
    default: break
    }
    if token.hasPrefix("VT:") { return .tableVector(String(token.dropFirst(3))) }
    if token.hasPrefix("T:") { return .table(String(token.dropFirst(2))) }
    if token.hasPrefix("U:") { return .union(String(token.dropFirst(2))) }
    if token.hasPrefix("V") {
      let parts = token.dropFirst().split(separator: "@")
      let size = parts.first.flatMap { Int($0) } ?? 1
      let align = parts.count > 1 ? (Int(parts[1]) ?? size) : size
      return .vector(elementSize: size, alignment: max(size, align))
    }
    assertionFailure("unknown schema token \(token)")
    return .scalar(size: 4)
  }

  /// The member table a union tag selects, or nil for NONE or a tag newer than the schema.
  public func member(of union: String, tag: UInt8) -> String? {
    guard tag > 0, let members = unions[union], Int(tag) <= members.count else { return nil }
    return members[Int(tag) - 1]
  }
}

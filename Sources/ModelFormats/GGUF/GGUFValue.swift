/// The type tag of a GGUF metadata value (gguf spec `gguf_metadata_value_type`).
public enum GGUFValueType: UInt32, Sendable, CaseIterable {
  case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
  case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

  /// Byte width of a fixed-size scalar, nil for strings and arrays.
  public var scalarWidth: Int? {
    switch self {
    case .uint8, .int8, .bool: return 1
    case .uint16, .int16: return 2
    case .uint32, .int32, .float32: return 4
    case .uint64, .int64, .float64: return 8
    case .string, .array: return nil
    }
  }

  /// The name gguf-py and the spec use.
  public var name: String {
    switch self {
    case .uint8: return "UINT8"
    case .int8: return "INT8"
    case .uint16: return "UINT16"
    case .int16: return "INT16"
    case .uint32: return "UINT32"
    case .int32: return "INT32"
    case .float32: return "FLOAT32"
    case .bool: return "BOOL"
    case .string: return "STRING"
    case .array: return "ARRAY"
    case .uint64: return "UINT64"
    case .int64: return "INT64"
    case .float64: return "FLOAT64"
    }
  }
}

/// A typed GGUF metadata value. Arrays are flat: the C reader rejects nested arrays, so we do too.
public enum GGUFValue: Sendable, Hashable {
  case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
  case float32(Float), bool(Bool), string(String), uint64(UInt64), int64(Int64), float64(Double)
  case array(GGUFArray)

  public var type: GGUFValueType {
    switch self {
    case .uint8: return .uint8
    case .int8: return .int8
    case .uint16: return .uint16
    case .int16: return .int16
    case .uint32: return .uint32
    case .int32: return .int32
    case .float32: return .float32
    case .bool: return .bool
    case .string: return .string
    case .uint64: return .uint64
    case .int64: return .int64
    case .float64: return .float64
    case .array: return .array
    }
  }

  /// Any integer value as Int (nil for non-integers or values that do not fit).
  public var intValue: Int? {
    switch self {
    case let .uint8(v): return Int(v)
    case let .int8(v): return Int(v)
    case let .uint16(v): return Int(v)
    case let .int16(v): return Int(v)
    case let .uint32(v): return Int(v)
    case let .int32(v): return Int(v)
    case let .uint64(v): return Int(exactly: v)
    case let .int64(v): return Int(v)
    default: return nil
    }
  }

  public var floatValue: Double? {
    switch self {
    case let .float32(v): return Double(v)
    case let .float64(v): return v
    default: return intValue.map(Double.init)
    }
  }

  public var stringValue: String? {
    if case let .string(s) = self { return s }
    return nil
  }
}

/// A homogeneous array of scalars or strings.
public enum GGUFArray: Sendable, Hashable {
  case uint8([UInt8]), int8([Int8]), uint16([UInt16]), int16([Int16]), uint32([UInt32]), int32([Int32])
  case float32([Float]), bool([Bool]), string([String]), uint64([UInt64]), int64([Int64]), float64([Double])

  public var elementType: GGUFValueType {
    switch self {
    case .uint8: return .uint8
    case .int8: return .int8
    case .uint16: return .uint16
    case .int16: return .int16
    case .uint32: return .uint32
    case .int32: return .int32
    case .float32: return .float32
    case .bool: return .bool
    case .string: return .string
    case .uint64: return .uint64
    case .int64: return .int64
    case .float64: return .float64
    }
  }

  public var count: Int {
    switch self {
    case let .uint8(a): return a.count
    case let .int8(a): return a.count
    case let .uint16(a): return a.count
    case let .int16(a): return a.count
    case let .uint32(a): return a.count
    case let .int32(a): return a.count
    case let .float32(a): return a.count
    case let .bool(a): return a.count
    case let .string(a): return a.count
    case let .uint64(a): return a.count
    case let .int64(a): return a.count
    case let .float64(a): return a.count
    }
  }
}

import TensorCore

/// The element types a .npy array may hold that evaluation converts.
enum NumPyDType {
  case float16, float32, float64
  case int8, int16, int32, int64
  case uint8, uint16, uint32
  case bool

  /// Reads a descr such as "<f4"; big-endian data ('>') is not supported.
  init?(descr: String) {
    var code = Substring(descr)
    if let first = code.first, "<|=".contains(first) { code = code.dropFirst() } else if code.first == ">" {
      // Single-byte types are byte-order free even when written with '>'.
      guard ["i1", "u1", "b1"].contains(String(code.dropFirst())) else { return nil }
      code = code.dropFirst()
    }
    switch code {
    case "f2": self = .float16
    case "f4": self = .float32
    case "f8": self = .float64
    case "i1": self = .int8
    case "i2": self = .int16
    case "i4": self = .int32
    case "i8": self = .int64
    case "u1": self = .uint8
    case "u2": self = .uint16
    case "u4": self = .uint32
    case "b1", "?": self = .bool
    default: return nil
    }
  }

  var size: Int {
    switch self {
    case .int8, .uint8, .bool: return 1
    case .float16, .int16, .uint16: return 2
    case .float32, .int32, .uint32: return 4
    case .float64, .int64: return 8
    }
  }

  /// Converts `count` little-endian elements (the caller checked `data` holds them).
  func decode(_ data: UnsafeRawBufferPointer, count: Int) -> ([Float], [Int64]?) {
    func load<T: FixedWidthInteger>(_ type: T.Type, _ i: Int) -> T {
      T(littleEndian: data.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
    }
    func ints(_ convert: (Int) -> Int64) -> ([Float], [Int64]?) {
      let values = (0..<count).map(convert)
      return (values.map { Float($0) }, values)
    }
    switch self {
    case .float16: return ((0..<count).map { HalfPrecision.float(fromHalfBits: load(UInt16.self, $0)) }, nil)
    case .float32: return ((0..<count).map { Float(bitPattern: load(UInt32.self, $0)) }, nil)
    case .float64: return ((0..<count).map { Float(Double(bitPattern: load(UInt64.self, $0))) }, nil)
    case .int8: return ints { Int64(load(Int8.self, $0)) }
    case .int16: return ints { Int64(load(Int16.self, $0)) }
    case .int32: return ints { Int64(load(Int32.self, $0)) }
    case .int64: return ints { load(Int64.self, $0) }
    case .uint8: return ints { Int64(load(UInt8.self, $0)) }
    case .uint16: return ints { Int64(load(UInt16.self, $0)) }
    case .uint32: return ints { Int64(load(UInt32.self, $0)) }
    case .bool: return ints { load(UInt8.self, $0) != 0 ? 1 : 0 }
    }
  }
}

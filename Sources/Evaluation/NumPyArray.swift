import TensorCore

/// One array read from a .npy file (or an .npz member), converted for evaluation: every dtype as
/// Float, integer dtypes also exactly as Int64 (labels).
public struct NumPyArray: Sendable {
  public var shape: [Int]
  /// The stored dtype as NumPy spells it ("<f4", "|u1", "|b1").
  public var descr: String
  public var floats: [Float]
  /// Exact values for integer and bool dtypes, nil for floats.
  public var integers: [Int64]?

  public init(shape: [Int], descr: String, floats: [Float], integers: [Int64]? = nil) {
    self.shape = shape; self.descr = descr; self.floats = floats; self.integers = integers
  }

  public var elementCount: Int { floats.count }
  public var isInteger: Bool { integers != nil }
}

extension NumPyArray {
  /// Parses a .npy file's bytes. `file` names the source in error messages.
  public static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws(EvaluationError) -> NumPyArray {
    func bad(_ reason: String) -> EvaluationError { .badData(file: file, reason: reason) }
    var reader = ByteReader(bytes)
    do {
      let magic = try reader.readBytes(6)
      guard magic == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] else { throw bad("not a .npy array (bad magic)") }
      let major: UInt8 = try reader.read()
      _ = try reader.read(UInt8.self)
      let headerLength: Int
      switch major {
      case 1: headerLength = Int(try reader.read(UInt16.self))
      case 2, 3: headerLength = Int(try reader.read(UInt32.self))
      default: throw bad(".npy version \(major) is not supported")
      }
      let header = try reader.readUTF8(headerLength)
      let parsed = try NumPyHeader.parse(header, file: file)
      guard !parsed.fortranOrder else { throw bad("array is stored in Fortran order; save it in C order") }
      guard let type = NumPyDType(descr: parsed.descr) else {
        throw bad("dtype '\(parsed.descr)' cannot be converted (float16/32/64, int8–64, uint8–32 and bool are)")
      }
      guard let count = Shape.elementCount(parsed.shape), let needed = Checked.multiply(count, type.size) else {
        throw bad("shape \(parsed.shape) is too large")
      }
      guard needed <= reader.remaining else {
        throw bad("data holds \(reader.remaining) bytes but shape \(parsed.shape) of \(parsed.descr) needs \(needed)")
      }
      let data = try reader.readSlice(needed)
      let (floats, integers) = type.decode(data, count: count)
      return NumPyArray(shape: parsed.shape, descr: parsed.descr, floats: floats, integers: integers)
    } catch let error as EvaluationError {
      throw error
    } catch let error as ByteReaderError {
      throw bad("truncated .npy: \(error.description)")
    } catch {
      throw bad("\(error)")
    }
  }
}

/// The header dictionary of a .npy file: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
struct NumPyHeader {
  var descr: String
  var fortranOrder: Bool
  var shape: [Int]

  static func parse(_ text: String, file: String) throws(EvaluationError) -> NumPyHeader {
    func bad(_ reason: String) -> EvaluationError { .badData(file: file, reason: "bad .npy header: \(reason)") }
    func value(after key: String) -> Substring? {
      guard let keyRange = text.range(of: "'\(key)'") else { return nil }
      var rest = text[keyRange.upperBound...].drop { $0 == " " }
      guard rest.first == ":" else { return nil }
      rest = rest.dropFirst().drop { $0 == " " }
      return rest
    }
    guard let descrText = value(after: "descr"), let quote = descrText.first, quote == "'" || quote == "\"" else {
      throw bad("no descr")
    }
    let afterQuote = descrText.dropFirst()
    guard let end = afterQuote.firstIndex(of: quote) else { throw bad("unterminated descr") }
    let descr = String(afterQuote[..<end])
    guard let fortranText = value(after: "fortran_order") else { throw bad("no fortran_order") }
    let fortran = fortranText.hasPrefix("True")
    guard let shapeText = value(after: "shape"), shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
      throw bad("no shape")
    }
    var shape: [Int] = []
    for part in shapeText[shapeText.index(after: shapeText.startIndex)..<close].split(separator: ",") {
      let trimmed = part.trimmingCharacters(in: " L")
      if trimmed.isEmpty { continue }
      guard let dim = Int(trimmed), dim >= 0 else { throw bad("shape entry '\(part)' is not a size") }
      shape.append(dim)
    }
    return NumPyHeader(descr: descr, fortranOrder: fortran, shape: shape)
  }
}

extension Substring {
  func trimmingCharacters(in set: String) -> Substring {
    var result = self
    while let first = result.first, set.contains(first) { result = result.dropFirst() }
    while let last = result.last, set.contains(last) { result = result.dropLast() }
    return result
  }
}

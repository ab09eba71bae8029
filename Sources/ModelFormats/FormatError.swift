import TensorCore

/// A problem with a model file, phrased for one clear line on stderr.
///
/// Every case names the file; cases about a part of the file also name the tensor (or key) and the
/// byte offset, so a user can tell a truncated download from a file we do not support.
public enum FormatError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file's bytes do not match any format we know.
  case unrecognized(file: String)
  /// The file ended before a structure was complete.
  case truncated(file: String, what: String, offset: Int, needed: Int, available: Int)
  /// A structural field holds a value that cannot be right.
  case invalid(file: String, what: String, offset: Int?, reason: String)
  /// A tensor's declared type, shape or placement is wrong.
  case badTensor(file: String, tensor: String, offset: Int?, reason: String)
  /// Valid in principle, but not something we handle.
  case unsupported(file: String, what: String, reason: String)
  /// The writer cannot store this encoding for this tensor.
  case cannotStore(file: String, tensor: String, reason: String)
  /// Reading or writing the file failed at the OS level.
  case io(FileError)

  public var description: String {
    switch self {
    case let .unrecognized(file):
      return "\(file): not a model file QuantScope recognizes (expected .safetensors, .gguf, .tflite, .keras or .h5)"
    case let .truncated(file, what, offset, needed, available):
      return "\(file): unexpected end of file reading \(what) at offset \(offset) (need \(needed) bytes, \(available) available). The file might be truncated."
    case let .invalid(file, what, offset, reason):
      let at = offset.map { " at offset \($0)" } ?? ""
      return "\(file): invalid \(what)\(at): \(reason)"
    case let .badTensor(file, tensor, offset, reason):
      let at = offset.map { " at offset \($0)" } ?? ""
      return "\(file): tensor '\(tensor)'\(at): \(reason)"
    case let .unsupported(file, what, reason):
      return "\(file): unsupported \(what): \(reason)"
    case let .cannotStore(file, tensor, reason):
      return "\(file): cannot store tensor '\(tensor)': \(reason)"
    case let .io(error):
      return error.description
    }
  }
}

extension FormatError {
  /// Turns a reader failure into a sentence naming what was being read.
  public static func from(_ error: ByteReaderError, file: String, reading what: String) -> FormatError {
    switch error {
    case let .outOfBounds(offset, needed, available):
      return .truncated(file: file, what: what, offset: offset, needed: needed, available: available)
    case let .invalidUTF8(offset):
      return .invalid(file: file, what: what, offset: offset, reason: "text is not valid UTF-8")
    }
  }
}

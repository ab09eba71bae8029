import CHalfConvert

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// binary16 conversion in hardware (x86 F16C) where the CPU has it.
///
/// ``HalfPrecision`` is the reference; these calls give the same bits (round to nearest even,
/// subnormals kept, NaN payloads kept on decode) several times faster, which matters for f16
/// models: decoding a 7B f16 GGUF for statistics, or writing an f16 copy.
public enum HardwareHalf {
  /// True when the CPU converts binary16 in hardware (checked once). `QSCOPE_NO_F16C=1` turns
  /// the hardware path off, for benchmarks that compare the two.
  public static let isAvailable: Bool = qs_f16c_available() != 0 && getenv("QSCOPE_NO_F16C") == nil

  /// float32 → binary16 bits; false when the input holds NaN or an infinity (the output is
  /// then meaningless). Requires ``isAvailable``.
  @discardableResult
  public static func encode(_ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutablePointer<UInt16>) -> Bool {
    precondition(isAvailable && count >= 0)
    return qs_f16c_encode(source, count, destination) != 0
  }

  /// binary16 bits (little-endian, any alignment) → float32. Requires ``isAvailable``.
  public static func decode(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Float>) {
    precondition(isAvailable && count >= 0)
    qs_f16c_decode(source, count, destination)
  }

  /// Each finite value as a binary16 reader gets it back. Requires ``isAvailable``.
  public static func roundTrip(_ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutablePointer<Float>) {
    precondition(isAvailable && count >= 0)
    qs_f16c_round_trip(source, count, destination)
  }
}

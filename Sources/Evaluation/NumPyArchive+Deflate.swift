import Foundation
import ZIPFoundation

extension NumPyArchive {
  /// Deflate never expands data by more than about 1032:1; a member claiming more is corrupt, and
  /// the claim must not decide how much memory we reserve.
  static let maximumInflateRatio = 1040

  /// Inflates one deflated (method 8) member, as `np.savez_compressed` writes it, through
  /// ZIPFoundation's zlib stream. The output must be exactly `size` bytes with the directory's
  /// CRC-32; anything else is an error naming the member.
  static func inflate(
    _ compressed: UnsafeRawBufferPointer, size: Int, crc: UInt32, member: String, file: String
  ) throws(EvaluationError) -> [UInt8] {
    func bad(_ reason: String) -> EvaluationError { .badData(file: file, reason: "member '\(member)' \(reason)") }
    let limit = compressed.count > Int.max / (2 * maximumInflateRatio) ? Int.max : compressed.count * maximumInflateRatio + 1024
    guard size <= limit else {
      throw bad("claims \(size) bytes from \(compressed.count) compressed bytes, more than deflate can expand to")
    }
    let chunk = 1 << 16
    var output: [UInt8] = []
    output.reserveCapacity(min(size, 1 << 26))
    let computed: UInt32
    do {
      computed = try Data.decompress(
        size: Int64(compressed.count), bufferSize: chunk, skipCRC32: false,
        provider: { position, _ in
          // zlib is told a full chunk is available, so every chunk is exactly `chunk` bytes (the
          // tail zero-filled); asking again after the end means the stream is truncated.
          let start = Int(clamping: position)
          guard start < compressed.count else { throw InflateFailure.truncated }
          var data = Data(count: chunk)
          let end = min(compressed.count, start + chunk)
          data.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: compressed[start..<end])) }
          return data
        },
        consumer: { data in
          guard data.count <= size - output.count else { throw InflateFailure.tooLong }
          data.withUnsafeBytes { output.append(contentsOf: $0) }
        })
    } catch InflateFailure.truncated {
      throw bad("ends inside its deflate stream (the file is truncated or corrupt)")
    } catch InflateFailure.tooLong {
      throw bad("inflates to more than the \(size) bytes its directory entry declares")
    } catch {
      throw bad("is not valid deflate data (\(error))")
    }
    guard output.count == size else { throw bad("inflates to \(output.count) bytes, its directory entry declares \(size)") }
    guard computed == crc else {
      throw bad("fails its CRC-32 check (\(String(computed, radix: 16)) instead of \(String(crc, radix: 16)))")
    }
    return output
  }

  private enum InflateFailure: Error { case truncated, tooLong }
}

extension AtomicFileWriter {
  /// Writes `bytes` to `destination` through a temporary file that `verify` reads back first: the
  /// destination is replaced only when the written file passed, and a failed write or check
  /// leaves nothing behind (the writers' write → re-read → rename sequence in one place).
  /// - Parameters:
  ///   - inputs: paths that must never be overwritten (the model being read).
  ///   - verify: checks the file at the temporary path it is given; any error it throws becomes
  ///     ``FileError/verificationFailed(path:reason:)`` for `destination`.
  public static func writeVerified<E: Error>(
    _ bytes: [UInt8], to destination: String, inputs: [String] = [], overwrite: Bool, injectedFailureAfterBytes: Int? = nil,
    verify: (_ temporaryPath: String) throws(E) -> Void
  ) throws(FileError) {
    try writeVerified(
      to: destination, inputs: inputs, overwrite: overwrite, injectedFailureAfterBytes: injectedFailureAfterBytes,
      write: { writer throws(FileError) in try writer.write(bytes) }, verify: verify)
  }

  /// The same sequence for output written in pieces (e.g. data streamed from the input's mapping):
  /// `write` puts the whole file through the writer it is given.
  public static func writeVerified<E: Error>(
    to destination: String, inputs: [String] = [], overwrite: Bool, injectedFailureAfterBytes: Int? = nil,
    write: (AtomicFileWriter) throws(FileError) -> Void, verify: (_ temporaryPath: String) throws(E) -> Void
  ) throws(FileError) {
    let writer = try AtomicFileWriter(destination: destination, inputs: inputs, overwrite: overwrite)
    writer.injectedFailureAfterBytes = injectedFailureAfterBytes
    try write(writer)
    try writer.finishWriting()
    do { try verify(writer.temporaryPath) } catch {
      writer.abort()
      throw .verificationFailed(path: destination, reason: String(describing: error))
    }
    try writer.commit()
  }
}

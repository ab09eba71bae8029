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
    try writeVerified(
      to: destination, inputs: inputs, overwrite: overwrite, injectedFailureAfterBytes: injectedFailureAfterBytes,
      wrap: { $0 }, write: write,
      verify: { (path) throws(FileError) in
        do { try verify(path) } catch { throw .verificationFailed(path: destination, reason: String(describing: error)) }
      })
  }

  /// The sequence for a writer whose layer has its own error type: `wrap` turns the file errors of
  /// opening, flushing and renaming into it, while `write` and `verify` throw it themselves (so a
  /// format can report a bad tensor or a failed re-read in its own words).
  public static func writeVerified<Failure: Error>(
    to destination: String, inputs: [String] = [], overwrite: Bool, injectedFailureAfterBytes: Int? = nil,
    wrap: (FileError) -> Failure,
    write: (AtomicFileWriter) throws(Failure) -> Void, verify: (_ temporaryPath: String) throws(Failure) -> Void
  ) throws(Failure) {
    let writer: AtomicFileWriter
    do { writer = try AtomicFileWriter(destination: destination, inputs: inputs, overwrite: overwrite) } catch {
      throw wrap(error)
    }
    writer.injectedFailureAfterBytes = injectedFailureAfterBytes
    do throws(Failure) {
      try write(writer)
      do { try writer.finishWriting() } catch { throw wrap(error) }
      try verify(writer.temporaryPath)
      do { try writer.commit() } catch { throw wrap(error) }
    } catch {
      writer.abort()
      throw error
    }
  }
}

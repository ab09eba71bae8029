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
    try writeVerified(
      to: [destination], inputs: inputs, overwrite: overwrite, injectedFailureAfterBytes: injectedFailureAfterBytes,
      wrap: wrap, write: { (_, writer) throws(Failure) in try write(writer) },
      verify: { (_, path) throws(Failure) in try verify(path) })
  }

  /// The same for files that belong together (the shards of a split model): every destination is
  /// checked and given its temporary file first, each file is written and verified in turn, and
  /// the destinations are replaced only after all of them passed, so a failure leaves none behind.
  /// `write` and `verify` get the index into `destinations`.
  public static func writeVerified<Failure: Error>(
    to destinations: [String], inputs: [String] = [], overwrite: Bool, injectedFailureAfterBytes: Int? = nil,
    wrap: (FileError) -> Failure,
    write: (_ index: Int, AtomicFileWriter) throws(Failure) -> Void,
    verify: (_ index: Int, _ temporaryPath: String) throws(Failure) -> Void
  ) throws(Failure) {
    var writers: [AtomicFileWriter] = []
    do throws(Failure) {
      for destination in destinations {
        // Another destination of the same set counts as an input: two shards may not share a path.
        let others = writers.map(\.destination)
        do { writers.append(try AtomicFileWriter(destination: destination, inputs: inputs + others, overwrite: overwrite)) } catch {
          throw wrap(error)
        }
      }
      for (index, writer) in writers.enumerated() {
        writer.injectedFailureAfterBytes = injectedFailureAfterBytes
        try write(index, writer)
        do { try writer.finishWriting() } catch { throw wrap(error) }
        try verify(index, writer.temporaryPath)
      }
      for writer in writers {
        do { try writer.commit() } catch { throw wrap(error) }
      }
    } catch {
      for writer in writers { writer.abort() }
      throw error
    }
  }
}
